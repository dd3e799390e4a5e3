#!/usr/bin/env python3
"""Writes the seed corpora under fuzz/corpus/<harness>/ from the tests and the WeChat vectors.

    python3 fuzz/make_seeds.py --shared ../shared

The seeds are committed; run this again only to rebuild them (it replaces the seed-* files and
leaves any regress-* files, inputs that once found a bug, alone). --shared is the folder holding
wechat/vectors.json and corpus/appeals-train.tsv. Needs Python's `cryptography` for the AES
seeds (Debian: python3-cryptography).
"""

import argparse
import base64
import hashlib
import hmac
import json
import os
import re
import struct
from pathlib import Path
from urllib.parse import quote

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "fuzz" / "corpus"

# What the harnesses use (fuzz_oa_endpoint.cpp, fuzz_oa_crypto.cpp, fuzz_hotline_auth.cpp).
DEV_TOKEN = "minsheng-dev-token"
DEV_AES_KEY = "MinshengDevelopmentKeyDoNotUseInProduction0"
DEV_APPID = "wxminshengdev0001"
OA_NOW = 1714036504
HOTLINE_SECRET = b"hotline-secret-0123456789"
HOTLINE_NOW = 1795395660


def write(harness, name, data):
    d = CORPUS / harness
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    (d / ("seed-" + re.sub(r"[^A-Za-z0-9_.-]", "_", name))).write_bytes(data)


def clear(harness):
    d = CORPUS / harness
    if d.is_dir():
        for f in d.glob("seed-*"):
            f.unlink()


def query(params):
    return "&".join(quote(k, safe="-._~") + "=" + quote(v, safe="-._~") for k, v in sorted(params.items()))


def sha1_sig(*parts):
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


def aes_key():
    return base64.b64decode(DEV_AES_KEY + "=")


def wx_encrypt(message, receive_id, random16=b"0123456789abcdef"):
    m = message.encode() if isinstance(message, str) else message
    full = random16 + struct.pack(">I", len(m)) + m + receive_id.encode()
    pad = 32 - len(full) % 32
    full += bytes([pad]) * pad
    k = aes_key()
    enc = Cipher(algorithms.AES(k), modes.CBC(k[:16])).encryptor()
    return base64.b64encode(enc.update(full) + enc.finalize()).decode()


def cdata(name, text):
    return "<%s><![CDATA[%s]]></%s>" % (name, text.replace("]]>", "]]]]><![CDATA[>"), name)


def oa_seeds(vectors):
    h = "oa_endpoint"
    clear(h)
    xml = [(m["id"], m["body"]) for m in vectors["sample_messages"] if m["format"] == "xml"]
    ts, nonce = str(OA_NOW), "1514711492"
    for i, (mid, body) in enumerate(xml):
        q = {"timestamp": ts, "nonce": nonce, "openid": "o_user",
             "signature": sha1_sig(DEV_TOKEN, ts, nonce)}
        # plain, signed as WeChat signs it (control 0), and the same left to the harness (4)
        write(h, "plain-%s" % mid, b"\x00" + (query(q) + "\n" + body).encode())
        # safe and compat, sealed by the harness (control 8|2, 8|1)
        write(h, "safe-sealed-%s" % mid, b"\x0a" + ("nonce=" + nonce + "\n" + body).encode())
        if i % 4 == 0:
            write(h, "compat-sealed-%s" % mid, b"\x09" + ("nonce=" + nonce + "\n" + body).encode())
        # safe and compat as the wire carries them, encrypted with the development key
        if i % 3 == 0:
            enc = wx_encrypt(body, DEV_APPID)
            q2 = dict(q, encrypt_type="aes", msg_signature=sha1_sig(DEV_TOKEN, ts, nonce, enc))
            envelope = "<xml>" + cdata("ToUserName", "gh_minsheng") + cdata("Encrypt", enc) + "</xml>"
            write(h, "safe-wire-%s" % mid, b"\x02" + (query(q2) + "\n" + envelope).encode())
            compat = body.rstrip()
            if compat.endswith("</xml>"):
                compat = compat[: -len("</xml>")] + cdata("Encrypt", enc) + "</xml>"
                write(h, "compat-wire-%s" % mid, b"\x01" + (query(q2) + "\n" + compat).encode())
    # wrong appid and bad padding on the wire
    enc = wx_encrypt("<xml/>", "wxsomeoneelse")
    q2 = {"timestamp": ts, "nonce": nonce, "encrypt_type": "aes",
          "msg_signature": sha1_sig(DEV_TOKEN, ts, nonce, enc)}
    write(h, "safe-wire-wrong-appid", b"\x02" + (query(q2) + "\n<xml>" + cdata("Encrypt", enc) + "</xml>").encode())
    # URL verification (control 3 as given: other tokens, so refused; 7: signed by the harness)
    for v in vectors["signature_vectors"]:
        if v.get("kind") == "url_verify":
            q = {k: v[k] for k in ("signature", "timestamp", "nonce", "echostr") if k in v}
            write(h, "verify-%s" % v["id"], b"\x03" + (query(q) + "\n").encode())
            write(h, "verify-signed-%s" % v["id"], b"\x07" + (query(q) + "\n").encode())
    q = {"timestamp": ts, "nonce": nonce, "echostr": "4375120948345356249",
         "signature": sha1_sig(DEV_TOKEN, ts, nonce)}
    write(h, "verify-dev", b"\x03" + (query(q) + "\n").encode())
    # vectors' encrypted bodies (other keys) with their queries, signed by the harness (6, 5)
    for v in vectors["crypto_vectors"]:
        if v.get("direction") != "inbound" or v.get("format") != "xml" or "body" not in v:
            continue
        q = {"timestamp": v["timestamp"], "nonce": v["nonce"], "encrypt_type": "aes",
             "msg_signature": v["msg_signature"]}
        write(h, "vector-%s" % v["id"], b"\x06" + (query(q) + "\n" + v["body"]).encode())

    h = "oa_xml"
    clear(h)
    for mid, body in xml:
        write(h, mid, body)
    for r in vectors["reply_samples"]:
        write(h, r["id"], r["body"])
    for v in vectors["crypto_vectors"]:
        for key in ("body", "envelope"):
            if key in v and v[key].lstrip().startswith("<xml"):
                write(h, "%s-%s" % (v["id"], key), v[key])

    h = "oa_crypto"
    clear(h)
    for v in vectors["crypto_vectors"] + vectors["synthetic_vectors"]:
        if "encrypt" in v:
            write(h, "text-%s" % v["id"], b"\x00" + v["encrypt"].encode())
    for name, msg, rid in [("text", "<xml><Content>hi</Content></xml>", DEV_APPID),
                           ("empty", "", DEV_APPID), ("emoji", "😀", "wx1"),
                           ("full-pad", "x" * 12, "")]:
        m = msg.encode()
        full = b"0123456789abcdef" + struct.pack(">I", len(m)) + m + rid.encode()
        pad = 32 - len(full) % 32
        full += bytes([pad]) * pad
        write(h, "blocks-%s" % name, b"\x01" + full)
        write(h, "round-%s" % name, b"\x02" + b"0123456789abcdef" + rid.encode() + b"\n" + m)
    write(h, "blocks-long-length", b"\x01" + b"0123456789abcdef" + b"\xff\xff\xff\xff" + b"\x0c" * 12)


HOTLINE_JSON = """{
  "call_id": "HL-20261123-0001",
  "hotline": "12345",
  "caller": {"phone": "+86 138-0013-8000", "name": "张先生"},
  "operator_id": "A017",
  "started_at": "2026-11-23T09:01:00+08:00",
  "operator_category": "城乡建设",
  "turns": [
    {"speaker": "agent", "text": "您好，12345热线，请问有什么可以帮您？"},
    {"speaker": "caller", "text": "我们幸福小区3栋门口的路灯坏了一个星期了。", "at": "00:00:05"},
    {"speaker": "agent", "text": "好的，已为您记录。"},
    {"speaker": "caller", "text": "还有小区门口的垃圾好几天没人收。"}
  ]
}"""

HOTLINE_BATCH = "[" + HOTLINE_JSON + """,
  {"call_id": "HL-2", "caller": {"phone": "12"}, "turns": [{"speaker":"caller","text":"x"}]},
  {"call_id": "HL-3", "caller": {"phone": "13900139000"}, "turns": []},
  {"call_id": "HL-4", "caller": {"phone": "13900139000"},
   "turns": [{"speaker": "robot", "text": "hi"}]},
  {"call_id": "HL-5", "caller": {"phone": "13900139000"},
   "turns": [{"speaker": "agent", "text": "您好"}]},
  {"caller": {"phone": "13900139000"}, "turns": [{"speaker":"caller","text":"x"}]},
  "not an object"
]"""

HOTLINE_NDJSON = (
    '{"call_id":"A1","caller":{"phone":"13800138000"},"turns":[{"speaker":"caller","text":"路灯坏了"}]}'
    "\n\n{broken\n"
    '{"call_id":"A2","caller":{"phone":"13800138001"},"turns":[{"speaker":"caller","text":"井盖丢了"}]}'
    "\n")

HOTLINE_TEXT = ("[00:00:01] 坐席：您好，12345热线。\n"
                "[00:00:04] 市民：我要反映一下，幸福小区的路灯坏了，\n"
                "已经一个星期了。\n"
                "坐席:好的,请问具体位置?\n"
                "10:01:20 市民：3栋门口。\n")


def hotline_seeds():
    h = "hotline_transcript"
    clear(h)
    params = "call_id=T-9&caller_phone=13800138000&hotline=12345"
    write(h, "json-one", b"\x00" + ("\n" + HOTLINE_JSON).encode())
    write(h, "json-batch", b"\x04" + ("\n" + HOTLINE_BATCH).encode())
    write(h, "ndjson", b"\x01" + ("\n" + HOTLINE_NDJSON).encode())
    write(h, "jsonl", b"\x03" + ("\n" + HOTLINE_NDJSON).encode())
    write(h, "text", b"\x02" + (params + "\n" + HOTLINE_TEXT).encode())
    write(h, "text-untagged", b"\x02" + (params + "\n路灯坏了\n").encode())
    write(h, "text-no-phone", b"\x02" + ("call_id=T-9\n" + HOTLINE_TEXT).encode())
    write(h, "csv", b"\x05" + b"\ncall_id,text\n")

    h = "hotline_auth"
    clear(h)
    # One field per line: timestamp, signature, method, target, Content-Type, then the body.
    def v2(ts, method, path, params, ctype, body):
        canonical = "\n".join([method, path, query(params), ctype, ts, body])
        return "v2=" + hmac.new(HOTLINE_SECRET, canonical.encode(), hashlib.sha256).hexdigest()

    def legacy(ts, body):
        return "sha256=" + hmac.new(HOTLINE_SECRET, (ts + "\n" + body).encode(),
                                    hashlib.sha256).hexdigest()

    def auth_seed(name, ts, sig, method, target, ctype, body):
        write(h, name, "\n".join([ts, sig, method, target, ctype, body]))

    path = "/hotline/transcripts"
    text_params = {"call_id": "T-9", "caller_phone": "13800138000", "caller_name": "张 三"}
    text_target = path + "?" + query(text_params)
    now, later, stale = str(HOTLINE_NOW), str(HOTLINE_NOW + 10), str(HOTLINE_NOW - 301)
    json_type, text_type = "application/json", "text/plain; charset=utf-8"
    for name, ts, target, params, ctype, body in [
            ("json", now, path, {}, json_type, HOTLINE_JSON),
            ("empty", now, path, {}, json_type, ""),
            ("stale", stale, path, {}, json_type, '{"call_id":"x"}'),
            ("text", later, text_target, text_params, text_type, HOTLINE_TEXT),
            ("ndjson", now, path, {}, "application/x-ndjson", HOTLINE_NDJSON)]:
        sig = v2(ts, "POST", path, params, ctype, body)
        auth_seed(name, ts, sig, "POST", target, ctype, body)
        auth_seed(name + "-upper", ts, "v2=" + sig[3:].upper(), "POST", target, ctype, body)
        auth_seed(name + "-legacy", ts, legacy(ts, body), "POST", target, ctype, body)
    # The text call's query as a client may write it: another order, '+' and lower-case escapes.
    auth_seed("text-query-spelling", later, v2(later, "POST", path, text_params, text_type, HOTLINE_TEXT),
              "POST", path + "?caller_name=%e5%bc%a0+%e4%b8%89&caller_phone=13800138000&call_id=T-9",
              text_type, HOTLINE_TEXT)
    auth_seed("text-other-phone", later, v2(later, "POST", path, text_params, text_type, HOTLINE_TEXT),
              "POST", path + "?call_id=T-9&caller_phone=13900139000&caller_name=%E5%BC%A0%20%E4%B8%89",
              text_type, HOTLINE_TEXT)
    auth_seed("other-type", now, v2(now, "POST", path, {}, json_type, HOTLINE_JSON), "POST", path,
              "application/x-ndjson", HOTLINE_JSON)
    auth_seed("unknown-version", now, "v3=" + "0" * 64, "POST", path, json_type, "{}")
    auth_seed("bad-query", now, "v2=" + "0" * 64, "POST", path + "?a=%zz&a=1", json_type, "{}")
    write(h, "bad-timestamp", "12a\nv2=00\nPOST\n/hotline/transcripts\napplication/json\n{}")
    write(h, "missing", "\n\nPOST\n/hotline/transcripts\napplication/json\n{}")


def query_seeds():
    h = "query_string"
    clear(h)
    for i, s in enumerate([
            "signature=f464b24fc39322e44b38aa78f5edd27bd1441696&timestamp=1714036504&nonce=1514711492&echostr=4375120948345356249",
            "signature=a&timestamp=1&nonce=2&openid=o_user&encrypt_type=aes&msg_signature=b",
            "/wechat/oa?signature=a&timestamp=1&nonce=2",
            "/hotline/transcripts?call_id=T-9&caller_phone=%2B86%20138-0013-8000",
            "/mp/v1/cases?status=open&page=2&per_page=20",
            "/open311/v2/requests.json?service_code=001&lat=23.1&long=113.2&description=%E8%B7%AF%E7%81%AF",
            "q=%E8%B7%AF%E7%81%AF+%E5%9D%8F%E4%BA%86&x=&&y", "a=1&a=2", "%zz=1", "k=%4", "+=+",
            "12345", "-42", "007", "9223372036854775807", "-9223372036854775808", "65536", "",
    ]):
        write(h, "%02d" % i, s)


def calendar_seeds():
    h = "calendar"
    clear(h)
    write(h, "cn-2026", (REPO / "calendar" / "cn-2026.txt").read_bytes())
    for name, text in [
            ("one-day", "holiday 2026-04-06 清明节\n"),
            ("workday", "workday 2026-02-14 春节调休\n"),
            ("range", "holiday 2026-02-15..2026-02-23 春节\n"),
            ("bom-crlf", "\ufeffholiday 2027-01-01 元旦\r\nworkday 2027-01-02\r\n"),
            ("comment", "# only a comment\n\n   \n"),
            ("twice", "holiday 2026-01-01\nworkday 2026-01-01\n"),
            ("bad-keyword", "vacation 2026-01-01\n"),
            ("backwards", "holiday 2026-02-23..2026-02-15\n"),
            ("too-long", "holiday 2026-01-01..2026-03-01\n"),
            ("weekday-workday", "workday 2026-02-16\n"),
            ("edges", "holiday 0001-01-01\nholiday 9999-12-31 end\n"),
            ("leap", "holiday 2028-02-29\nholiday 2027-02-29\n")]:
        write(h, name, text)


def nlu_seeds(shared):
    texts = []
    for f in ["tests/dialog/nlu/engine_models_test.cpp", "tests/dialog/nlu/text_extractor_test.cpp",
              "tests/dialog/nlu/text_normalizer_test.cpp", "tests/dialog/nlu/text_mask_test.cpp",
              "tests/dialog/intake/call_appeals_test.cpp"]:
        src = (REPO / f).read_text(encoding="utf-8")
        for lit in re.findall(r'"((?:[^"\\\n]|\\.)*)"', src):
            lit = lit.replace("\\n", "\n")
            if re.search(r"[\u4e00-\u9fff]", lit) and len(lit.encode()) >= 12 and "\\" not in lit:
                texts.append(lit)
    seen, uniq = set(), []
    for t in texts:
        if t not in seen:
            seen.add(t)
            uniq.append(t)
    rows = (shared / "corpus" / "appeals-train.tsv").read_text(encoding="utf-8").splitlines()[1:]
    h = "nlu"
    clear(h)
    for i, t in enumerate(uniq[:60]):
        write(h, "test-%02d" % i, t)
    for i, row in enumerate(rows[:: max(1, len(rows) // 30)][:30]):
        text = row.split("\t", 2)[2]
        write(h, "corpus-%02d" % i, text.encode()[:400].decode("utf-8", "ignore"))
    write(h, "invalid-utf8", b"\xe8\xb7\xaf\xff\xfe\xe7\x81 13812345678 \xc0\xaf")

    h = "call_appeals"
    clear(h)
    for i, t in enumerate(uniq):
        if "\n" in t or "。" in t:
            write(h, "test-%02d" % i, t)
    write(h, "hotline-call", "我们幸福小区3栋门口的路灯坏了一个星期了。\n还有小区门口的垃圾好几天没人收。")
    write(h, "courtesy", "你好。\n好的，谢谢。")
    for i, row in enumerate(rows[1:: max(1, len(rows) // 12)][:12]):
        text = row.split("\t", 2)[2]
        write(h, "corpus-%02d" % i, text.encode()[:1200].decode("utf-8", "ignore"))


def config_seeds():
    h = "config"
    clear(h)
    for f in sorted((REPO / "config").glob("*.toml")):
        write(h, f.stem, f.read_bytes())
    for name, text in [
            ("listen", 'listen = "127.0.0.1:9000"\ndb = "from-file.db"\n[wechat]\ntoken = "file-token"\n'
                       'mode = "plain"\n'),
            ("no-key", '[wechat]\ntoken = "file-token"\n'),
            ("broken", "listen = [1,2\n"),
            ("safe", '[wechat]\ntoken = "t"\naes_key = "%s"\nappid = "wx1"\nmode = "safe"\n' % DEV_AES_KEY),
            ("program", '[program]\nclaim_lease_hours = 48\nauto_close_days = 7\nworking_hours = "08:30-12:00,14:00-17:30"\n'
                        '[deadlines]\ncomplaint = "5 working days"\n'),
            ("hotline", '[hotline]\nmax_clock_skew = 300\nlegacy_signature = ["default"]\nreplay_capacity = 1000\n'
                        '[hotline.secrets]\ndefault = "0123456789abcdef0123"\n'),
            ("community", '[[community]]\nname = "东城社区"\nstreet = "东城街道"\ngrids = ["一网格"]\nlat = 23.1\nlng = 113.3\n')]:
        write(h, name, text)


def mp_body_seeds():
    """The mini program bodies the tests send (tests/gateway/e2e_mp_test.cpp), one per reader."""
    h = "mp_bodies"
    clear(h)
    bodies = {
        "login": {"code": "code-resident-1"},
        "phone": {"phone": "13800138000"},
        "profile": {"community": "东城社区"},
        "subscriptions": {"accepted": ["tpl-progress-0001", "tpl-progress-0001"]},
        "case": {"request_id": "r-1", "description": "幸福小区3栋门口的路灯坏了一个星期了",
                 "category": "城乡建设", "kind": "complaint", "urgency": "normal",
                 "location": {"lat": 23.04, "lng": 113.76}, "address": "东城街道幸福小区3栋",
                 "media_ids": ["m1", "m2"], "phone": "13800138000"},
        "case-wish": {"request_id": "r-2", "description": "独居老人需要有人帮忙买菜", "kind": "wish",
                      "urgency": "urgent"},
        "case-not-same": {"request_id": "r-3", "description": "幸福小区3栋门口的路灯坏了一个星期了",
                          "kind": "complaint", "not_same_as": "MS20261123-0001"},
        "rate": {"rating": 4, "comment": "处理得很及时，谢谢"},
        "volunteer": {"name": "李师傅", "skills": "水电维修", "community": "东城社区"},
        "checkin": {"station": "dongcheng-1", "activity": "义剪"},
    }
    for name, body in bodies.items():
        write(h, name, json.dumps(body, ensure_ascii=False))
    write(h, "empty", "")
    write(h, "blank-object", "{}")
    write(h, "not-object", "[1,2,3]")


def operator_body_seeds():
    """The operator bodies of docs/operator-api.md."""
    h = "operator_bodies"
    clear(h)
    bodies = {
        "accept": {"action": "accept", "note": "已受理"},
        "assign": {"action": "assign", "assignee": "auto"},
        "assign-worker": {"action": "assign", "assignee": "w-dongcheng-1", "note": "请尽快上门"},
        "merge-id": {"action": "merge", "into": 12},
        "merge-number": {"action": "merge", "into": "WX20261123-0001"},
        "close": {"action": "close", "comment": "已修复", "rating": 5},
        "note": {"text": "已电话联系居民，约定明天上午上门"},
        "reply-canned": {"canned": "received"},
        "reply-text": {"text": "您好，您反映的问题已转交社区处理。"},
    }
    for name, body in bodies.items():
        write(h, name, json.dumps(body, ensure_ascii=False))


def open311_seeds():
    """Open311 inputs: the first byte says what the rest is (fuzz/fuzz_open311.cpp)."""
    h = "open311"
    clear(h)
    form = query({"api_key": "key-1", "service_code": "construction", "lat": "23.04",
                  "long": "113.76", "description": "路灯坏了一个星期了", "phone": "+86 138-0013-8000",
                  "first_name": "张", "media_url": "https://example.org/a.jpg"})
    write(h, "post-form", b"\x00" + form.encode())
    write(h, "post-json", b"\x01" + json.dumps(
        {"api_key": "key-1", "service_code": "wish", "address_string": "东城街道幸福小区3栋",
         "description": "独居老人需要有人帮忙买菜", "lat": 23.04, "long": 113.76},
        ensure_ascii=False).encode())
    write(h, "post-bare", b"\x02" + query({"service_code": "consultation", "address_id": "a-1",
                                           "description": "请问社区还开居住证明吗"}).encode())
    write(h, "get-dates", b"\x03" + query({"start_date": "2026-11-01T00:00:00+08:00",
                                           "end_date": "2026-11-30T23:59:59Z", "status": "open",
                                           "service_code": "construction"}).encode())
    write(h, "get-ids", b"\x03" + query({"service_request_id": "WX20261123-0001,GD20261124-0002"}).encode())
    write(h, "datetime", b"\x04" + b"2026-02-13T10:00:00+08:00")
    write(h, "datetime-z", b"\x04" + b"2026-12-31T23:59:59Z")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", required=True, type=Path, help="the shared folder (wechat/, corpus/)")
    args = ap.parse_args()
    vectors = json.loads((args.shared / "wechat" / "vectors.json").read_text(encoding="utf-8"))
    oa_seeds(vectors)
    hotline_seeds()
    query_seeds()
    calendar_seeds()
    nlu_seeds(args.shared)
    config_seeds()
    mp_body_seeds()
    operator_body_seeds()
    open311_seeds()
    for d in sorted(CORPUS.iterdir()):
        print("%-20s %3d seeds" % (d.name, len(list(d.iterdir()))))


if __name__ == "__main__":
    main()
