// The console's one mutable state, shared by the modules (the page is one user's session).
export const state = {
  user: null, csrf: '',
  windows: [], staff: [],
  templates: [], replyTemplates: [], // 定型文: managed / for the open conversation (templates.js)
  channels: new Map(),       // type → {type, label, message_max_units} from GET /api/channels
  replyMaxChars: 0,          // from GET /api/channels; 0 until it answered
  queue: [], overview: [],
  selectedId: null,          // keyboard selection in the queue (j/k)
  openId: null,              // conversation shown in the middle column
  detail: null,              // GET /api/conversations/{id} payload
  messages: [],
  localOut: new Map(),       // replies we just sent, until the server list contains them
  pendingDelivery: new Map(),// delivery events that arrived before the reply response
  drafts: new Map(),         // reply drafts per conversation, so switching does not lose text
  seenEmergency: new Set(), alertTargetId: null,
  view: 'queue',
  ws: null, wsRetry: 0, wsTimer: null, wsOpenedOnce: false,
  refreshTimer: null, msgTimer: null, mediaTimer: null, ticker: null,
  queueSeq: 0, audio: null,
};
