#!/usr/bin/python3
"""The municipality's mail relay, for the outbound email tests: a real SMTP server
(Debian's aiosmtpd) on 127.0.0.1, port 0, with STARTTLS (the test's own certificate),
AUTH required after TLS, and scripted answers per recipient. Every DATA it receives is
parsed with Python's own email package (an independent parser, not GMime) and appended as
one JSON line to <dir>/received.jsonl; the answer it gave is in the line too.

Usage: smtp_sink.py DIR CERT KEY USER PASSWORD
Prints "port N" once listening. Answers to DATA by the recipient's local part:
  tempfail-once*  451 4.3.0 on the first DATA for that recipient, then 250
  reject*         550 5.1.1 every time
  anything else   250
"""
import asyncio
import json
import os
import ssl
import sys
from email import policy
from email.parser import BytesParser

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

out_dir, cert, key, user, password = sys.argv[1:6]
seen = {}


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and \
        auth_data.password.decode() == password
    return AuthResult(success=ok, handled=False)


def summary(envelope, answer, session):
    raw = envelope.original_content or envelope.content
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    part = msg.get_body(preferencelist=('plain',)) or msg
    try:
        text = part.get_content()
    except Exception as e:  # what a resident's mail program would fail on
        text = "<undecodable: %s>" % e
    return {
        "answer": answer,
        "mail_from": envelope.mail_from,
        "rcpt": envelope.rcpt_tos,
        "tls": session.ssl is not None,
        "authenticated": bool(session.authenticated),
        "message_id": str(msg.get("Message-ID", "")),
        "in_reply_to": str(msg.get("In-Reply-To", "")),
        "references": str(msg.get("References", "")),
        "subject": str(msg.get("Subject", "")),
        "from": str(msg.get("From", "")),
        "reply_to": str(msg.get("Reply-To", "")),
        "to": str(msg.get("To", "")),
        "date": str(msg.get("Date", "")),
        "mime_version": str(msg.get("MIME-Version", "")),
        "auto_submitted": str(msg.get("Auto-Submitted", "")),
        "content_type": part.get_content_type(),
        "charset": part.get_content_charset() or "",
        "transfer_encoding": str(part.get("Content-Transfer-Encoding", "")),
        "text": text,
        "max_line_octets": max((len(line) for line in raw.split(b"\r\n")), default=0),
        "bare_lf": b"\n" in raw.replace(b"\r\n", b""),
        "eight_bit": any(b > 127 for b in raw),
    }


class Handler:
    async def handle_DATA(self, server, session, envelope):
        rcpt = envelope.rcpt_tos[0] if envelope.rcpt_tos else ""
        local = rcpt.split("@")[0]
        n = seen.get(rcpt, 0)
        seen[rcpt] = n + 1
        if local.startswith("reject"):
            answer = "550 5.1.1 No such user"
        elif local.startswith("tempfail-once") and n == 0:
            answer = "451 4.3.0 Try again later"
        else:
            answer = "250 2.0.0 Ok: queued"
        with open(os.path.join(out_dir, "received.jsonl"), "a", encoding="utf-8") as f:
            f.write(json.dumps(summary(envelope, answer, session), ensure_ascii=False) + "\n")
        return answer


async def main():
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(Handler(), hostname="relay.town.example", tls_context=context, require_starttls=True,
                     auth_required=True, authenticator=authenticator, decode_data=False),
        "127.0.0.1", 0)
    print("port %d" % server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
