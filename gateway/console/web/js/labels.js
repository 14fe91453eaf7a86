// Japanese labels for the API's codes, for the places where the API sends a code only.
// Channel names and limits are not here: they come from GET /api/channels (channels.js).
export const URGENCY = { emergency: '緊急', high: '高', normal: '通常', info: '情報提供' };
export const STATUS = { open: '対応中', closed: '終了' };
export const ROLE = { counselor: '相談員', supervisor: 'スーパーバイザー', admin: '管理者' };
export const WRITER = [['', '未確認'], ['self', '本人'], ['family', '家族'], ['agency', '支援機関'], ['other', 'その他']];
export const AGE_BAND = [['', '不明'], ['under_15', '15歳未満'], ['15_19', '15〜19歳'], ['20s', '20代'], ['30s', '30代'],
  ['40s', '40代'], ['50s', '50代'], ['60_plus', '60歳以上']];
export const CONSENT = [['', '未確認'], ['person', '本人同意'], ['family', '家族同意'], ['support_meeting', '支援会議'],
  ['refused', '同意なし'], ['vital', '生命・身体の保護（緊急）']];
export const METHOD = [['phone', '電話'], ['visit', '来所'], ['outreach', '訪問'], ['other', 'その他']];
export const DELIVERY = { queued: '送信待ち', sending: '送信中', delivered: '送信済み', failed: '送信できませんでした' };
export const MEDIA = { image: '［画像］', sticker: '［スタンプ］', video: '［動画］', audio: '［音声］', file: '［ファイル］', location: '［位置情報］' };
export const AUTO_REPLY = { first_reply: '受付のお知らせ', after_hours: '時間外のご案内', emergency: '緊急時のご案内' };

export const labelOf = (pairs, v) => { const f = pairs.find((p) => p[0] === (v || '')); return f ? f[1] : v; };
