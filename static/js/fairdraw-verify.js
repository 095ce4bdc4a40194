/* fairdraw/SRV1 verifier in the visitor's browser (docs/fairdraw-spec.md §10; a port of
   shuangsuiji/fairdraw/verifier.py and the engine it re-runs).

   Plain JavaScript, no framework, no build step, nothing loaded from elsewhere; allowed by the portal's
   Content-Security-Policy ('self', no inline script, no eval).  SHA-256 is WebCrypto (crypto.subtle.digest);
   exact fractions and 256-bit keys are BigInt.  Once the caller has the bytes of the files (manifest, pool,
   roster, commitment log) nothing is fetched: every check runs here.

   FairdrawVerify.verify(manifestBytes, poolBytes, rosterBytes|null, {expectCommitment, log}) resolves to
   {status: "VERIFIED"|"DIFFERENT"|"MALFORMED", path, message, expected, actual, code, notes,
    commitment_hash, public_values, seed, log_entry, log_size, log_head}: the same verdict, first differing
   path, message, values and refusal code as the Python verifier (the e2e agreement test holds it to that).

   drand signatures (spec §5.4): checks 1–3 (known chain, committed round, randomness = SHA-256(signature))
   are done here; check 4, the BLS pairing check, is done by static/js/bls12-381.js (FairdrawBLS, a port of
   py_ecc loaded before this file).  Without FairdrawBLS the verdict carries a note instead, as the Python
   verifier's does without py-ecc. */
(function (root) {
  "use strict";

  // ---------------------------------------------------------------- errors
  function Malformed(code, message) { this.code = code; this.message = message; this.malformed = true; }
  function FdError(code, message, detail) { this.code = code; this.message = message; this.detail = detail || {}; }
  function LogBreak(path, message, expected, actual) {
    this.path = path; this.message = message; this.expected = expected; this.actual = actual; this.logBreak = true;
  }
  function StructureError(message) { this.message = message; this.structure = true; }

  // ---------------------------------------------------------------- bytes and text
  var ENC = new TextEncoder();
  function utf8(s) { return ENC.encode(s); }
  function decodeUtf8(bytes) { return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes); }
  function concat(parts) {
    var n = 0, i;
    for (i = 0; i < parts.length; i++) n += parts[i].length;
    var out = new Uint8Array(n), o = 0;
    for (i = 0; i < parts.length; i++) { out.set(parts[i], o); o += parts[i].length; }
    return out;
  }
  function u32(n) { return new Uint8Array([(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]); }
  function u64(n) { var b = new Uint8Array(8), v = BigInt(n); for (var i = 7; i >= 0; i--) { b[i] = Number(v & 255n); v >>= 8n; } return b; }
  function lp(fields) {
    var parts = [];
    fields.forEach(function (f) { parts.push(u32(f.length)); parts.push(f); });
    return concat(parts);
  }
  var HEXCHARS = "0123456789abcdef";
  function hex(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += HEXCHARS[bytes[i] >> 4] + HEXCHARS[bytes[i] & 15];
    return s;
  }
  function fromHex(h) {
    var b = new Uint8Array(h.length / 2);
    for (var i = 0; i < b.length; i++) b[i] = parseInt(h.substr(2 * i, 2), 16);
    return b;
  }
  function bigOf(bytes) { return bytes.length ? BigInt("0x" + hex(bytes)) : 0n; }
  function utf8Len(s) {
    var n = 0;
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c < 0x80) n += 1; else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff) { n += 4; i++; } else n += 3;
    }
    return n;
  }
  function isAscii(s) { return /^[\x00-\x7f]*$/.test(s); }
  // Bytewise order of UTF-8 = code point order; JS "<" compares UTF-16 units, which differs for astral characters.
  function cmpStr(a, b) {
    var n = Math.min(a.length, b.length);
    for (var i = 0; i < n; i++) {
      var x = a.charCodeAt(i), y = b.charCodeAt(i);
      if (x !== y) {
        if (x >= 0xd800 && y >= 0xd800) {
          x = x <= 0xdfff ? x + 0x2000 : x - 0x800;
          y = y <= 0xdfff ? y + 0x2000 : y - 0x800;
        }
        return x < y ? -1 : 1;
      }
    }
    return a.length === b.length ? 0 : (a.length < b.length ? -1 : 1);
  }
  function sortedKeys(o) { return Object.keys(o).sort(cmpStr); }

  // ---------------------------------------------------------------- hash suites (spec §2.3)
  /* SM3 (GB/T 32905-2016) written out here: WebCrypto has no SM3, and no SM3 library can be vendored from
     an offline, reviewed source (the portal loads nothing from elsewhere), so this is the standard's
     algorithm in ~40 lines.  Checked against the standard's examples ("abc", "abcd" x 16) and against
     Python's hashlib.new("sm3") on random inputs by tests/e2e/test_browser_verifier.py. */
  var SM3_IV = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e];
  var SM3_T = new Int32Array(64), SM3_W = new Int32Array(68), SM3_W1 = new Int32Array(64), SM3_V = new Int32Array(8);
  function rotl(x, n) { n &= 31; return n ? (x << n) | (x >>> (32 - n)) : x; }
  for (var t0 = 0; t0 < 64; t0++) SM3_T[t0] = rotl(t0 < 16 ? 0x79cc4519 : 0x7a879d8a, t0);
  function sm3(msg) {
    var len = msg.length, blocks = Math.floor((len + 8) / 64) + 1, W = SM3_W, W1 = SM3_W1, V = SM3_V, j;
    var tail = new Uint8Array((blocks - Math.floor(len / 64)) * 64), tailAt = Math.floor(len / 64) * 64;
    tail.set(msg.subarray(tailAt));
    tail[len - tailAt] = 0x80;
    var hi = Math.floor(len / 536870912), lo = (len * 8) >>> 0, e = tail.length;
    tail[e - 8] = hi >>> 24; tail[e - 7] = hi >>> 16; tail[e - 6] = hi >>> 8; tail[e - 5] = hi;
    tail[e - 4] = lo >>> 24; tail[e - 3] = lo >>> 16; tail[e - 2] = lo >>> 8; tail[e - 1] = lo;
    for (j = 0; j < 8; j++) V[j] = SM3_IV[j];
    for (var b = 0; b < blocks; b++) {
      var src = b * 64 < tailAt ? msg : tail, o = b * 64 < tailAt ? b * 64 : b * 64 - tailAt;
      for (j = 0; j < 16; j++, o += 4) W[j] = (src[o] << 24) | (src[o + 1] << 16) | (src[o + 2] << 8) | src[o + 3];
      for (j = 16; j < 68; j++) {
        var x = W[j - 16] ^ W[j - 9] ^ rotl(W[j - 3], 15);
        W[j] = x ^ rotl(x, 15) ^ rotl(x, 23) ^ rotl(W[j - 13], 7) ^ W[j - 6];
      }
      for (j = 0; j < 64; j++) W1[j] = W[j] ^ W[j + 4];
      var A = V[0], B = V[1], C = V[2], D = V[3], E = V[4], F = V[5], G = V[6], H = V[7];
      for (j = 0; j < 64; j++) {
        var a12 = rotl(A, 12), ss1 = rotl((a12 + E + SM3_T[j]) | 0, 7), ss2 = ss1 ^ a12;
        var ff = j < 16 ? A ^ B ^ C : (A & B) | (A & C) | (B & C);
        var gg = j < 16 ? E ^ F ^ G : (E & F) | (~E & G);
        var tt1 = (ff + D + ss2 + W1[j]) | 0, tt2 = (gg + H + ss1 + W[j]) | 0;
        D = C; C = rotl(B, 9); B = A; A = tt1;
        H = G; G = rotl(F, 19); F = E; E = tt2 ^ rotl(tt2, 9) ^ rotl(tt2, 17);
      }
      V[0] ^= A; V[1] ^= B; V[2] ^= C; V[3] ^= D; V[4] ^= E; V[5] ^= F; V[6] ^= G; V[7] ^= H;
    }
    var out = new Uint8Array(32);
    for (j = 0; j < 8; j++) { out[4 * j] = V[j] >>> 24; out[4 * j + 1] = V[j] >>> 16; out[4 * j + 2] = V[j] >>> 8; out[4 * j + 3] = V[j]; }
    return out;
  }
  var SUITES = {
    sha256: {
      name: "sha256", label: "SHA-256",
      hash: function (bytes) {
        return root.crypto.subtle.digest("SHA-256", bytes).then(function (b) { return new Uint8Array(b); });
      }
    },
    sm3: { name: "sm3", label: "SM3", hash: function (bytes) { return Promise.resolve(sm3(bytes)); } }
  };
  function suiteOf(name) { return Object.prototype.hasOwnProperty.call(SUITES, name) ? SUITES[name] : null; }
  function sha256(bytes) { return SUITES.sha256.hash(bytes); }

  // Hash many inputs in batches (a few thousand promises at a time keeps memory and garbage collection low).
  async function hashAll(H, inputs) {
    var out = new Array(inputs.length);
    for (var i = 0; i < inputs.length; i += 2048) {
      var part = await Promise.all(inputs.slice(i, i + 2048).map(function (b) { return H(b); }));
      for (var j = 0; j < part.length; j++) out[i + j] = part[j];
    }
    return out;
  }

  // ---------------------------------------------------------------- strict JSON (Python json.loads semantics)
  var MAX_SAFE = 9007199254740991;
  function isObj(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }
  function loadJson(bytes, what) {
    var text;
    try { text = typeof bytes === "string" ? bytes : decodeUtf8(bytes); } catch (e) {
      throw new Malformed("JSON_INVALID", what + " 不是有效的 UTF-8 JSON");
    }
    var i = 0, n = text.length;
    function bad(msg) { throw new Malformed("JSON_INVALID", what + " 不是有效的 UTF-8 JSON：" + msg + "（位置 " + i + "）"); }
    function ws() { while (i < n) { var c = text[i]; if (c === " " || c === "\t" || c === "\n" || c === "\r") i++; else break; } }
    function value() {
      ws();
      if (i >= n) bad("内容不完整");
      var c = text[i];
      if (c === "{") return object();
      if (c === "[") return array();
      if (c === '"') return string();
      if (text.startsWith("true", i)) { i += 4; return true; }
      if (text.startsWith("false", i)) { i += 5; return false; }
      if (text.startsWith("null", i)) { i += 4; return null; }
      if (text.startsWith("NaN", i) || text.startsWith("Infinity", i) || text.startsWith("-Infinity", i)) {
        throw new Malformed("JSON_FLOAT", what + " 中不允许浮点数");
      }
      return number();
    }
    function number() {
      var m = /^-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(text.slice(i, i + 400));
      if (!m) bad("无法解析的值");
      i += m[0].length;
      if (m[1] || m[2]) throw new Malformed("JSON_FLOAT", what + " 中不允许浮点数：" + m[0]);
      var big = BigInt(m[0]);
      return (big > BigInt(MAX_SAFE) || big < -BigInt(MAX_SAFE)) ? big : Number(big);
    }
    function string() {
      i++;
      var out = "";
      for (;;) {
        if (i >= n) bad("字符串未结束");
        var c = text[i];
        if (c === '"') { i++; return out; }
        if (c < " ") bad("字符串中有控制字符");
        if (c === "\\") {
          var e = text[i + 1];
          var map = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
          if (e in map) { out += map[e]; i += 2; continue; }
          if (e !== "u" || !/^[0-9a-fA-F]{4}$/.test(text.substr(i + 2, 4))) bad("无效的转义");
          out += String.fromCharCode(parseInt(text.substr(i + 2, 4), 16));
          i += 6;
          continue;
        }
        out += c; i++;
      }
    }
    function array() {
      i++; var out = []; ws();
      if (text[i] === "]") { i++; return out; }
      for (;;) {
        out.push(value()); ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "]") { i++; return out; }
        bad("数组缺少逗号或右括号");
      }
    }
    function object() {
      i++; var pairs = []; ws();
      if (text[i] === "}") { i++; return Object.create(null); }
      for (;;) {
        ws();
        if (text[i] !== '"') bad("对象的键必须是字符串");
        var k = string(); ws();
        if (text[i] !== ":") bad("缺少冒号");
        i++;
        pairs.push([k, value()]); ws();
        if (text[i] === ",") { i++; continue; }
        if (text[i] === "}") { i++; break; }
        bad("对象缺少逗号或右括号");
      }
      var out = Object.create(null);
      pairs.forEach(function (p) {
        if (Object.prototype.hasOwnProperty.call(out, p[0])) {
          throw new Malformed("JSON_DUPLICATE_KEY", what + " 中有重复的键 " + p[0]);
        }
        out[p[0]] = p[1];
      });
      return out;
    }
    var v = value(); ws();
    if (i < n) bad("多余的内容");
    return v;
  }

  // Canonical JSON (spec §2.2): Python json.dumps(sort_keys, separators=(",", ":"), ensure_ascii=False).
  function jsonString(s) {
    return '"' + s.replace(/[\x00-\x1f"\\]/g, function (c) {
      var m = { '"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t" };
      return m[c] || "\\u00" + ("0" + c.charCodeAt(0).toString(16)).slice(-2);
    }) + '"';
  }
  function canonText(v, path, loose) {
    path = path || "$";
    if (v === null) return "null";
    if (v === true) return "true";
    if (v === false) return "false";
    if (typeof v === "string") return jsonString(v);
    if (typeof v === "number" || typeof v === "bigint") {
      var b = BigInt(v);
      if (!loose && (b > BigInt(MAX_SAFE) || b < -BigInt(MAX_SAFE))) throw new FdError("JSON_INT_RANGE", path + " 的整数超出 ±(2^53−1) 范围");
      return b.toString();
    }
    if (Array.isArray(v)) return "[" + v.map(function (x, j) { return canonText(x, path + "[" + j + "]", loose); }).join(",") + "]";
    return "{" + sortedKeys(v).map(function (k) { return jsonString(k) + ":" + canonText(v[k], path + "." + k, loose); }).join(",") + "}";
  }
  function canonical(v) { return utf8(canonText(v)); }
  // Non-throwing text of any parsed value (for comparisons and messages).
  function show(v) { return v === undefined ? "null" : canonText(v, "$", true); }

  // ---------------------------------------------------------------- exact fractions (BigInt)
  function gcd(a, b) { a = a < 0n ? -a : a; b = b < 0n ? -b : b; while (b) { var t = a % b; a = b; b = t; } return a; }
  function frac(n, d) {
    n = BigInt(n); d = d === undefined ? 1n : BigInt(d);
    if (d < 0n) { n = -n; d = -d; }
    var g = gcd(n, d) || 1n;
    return { n: n / g, d: d / g };
  }
  function fadd(a, b) { return frac(a.n * b.d + b.n * a.d, a.d * b.d); }
  function fsub(a, b) { return frac(a.n * b.d - b.n * a.d, a.d * b.d); }
  function fmul(a, b) { return frac(a.n * b.n, a.d * b.d); }
  function fdiv(a, b) { return frac(a.n * b.d, a.d * b.n); }
  function fcmp(a, b) { var x = a.n * b.d, y = b.n * a.d; return x < y ? -1 : (x > y ? 1 : 0); }
  function ffloor(a) { var q = a.n / a.d; if (a.n < 0n && q * a.d !== a.n) q -= 1n; return q; }
  function fstr(a) { return a.n.toString() + "/" + a.d.toString(); }

  // ---------------------------------------------------------------- text fields (spec §2.1)
  function checkText(v, what, allowEmpty, Err) {
    Err = Err || FdError;
    if (typeof v !== "string") throw new Err("TEXT_NOT_STRING", what + " 必须是字符串");
    if (!v && !allowEmpty) throw new Err("TEXT_EMPTY", what + " 不能为空");
    if (/[\x00-\x1f\x7f]/.test(v)) throw new Err("TEXT_CONTROL_CHAR", what + " 含有制表符、换行符或其他控制字符");
    if (!isAscii(v) && v.normalize("NFC") !== v) throw new Err("TEXT_NOT_NFC", what + " 不是 Unicode NFC 规范形式");
    if (utf8Len(v) > 256) throw new Err("TEXT_TOO_LONG", what + " 超过 256 字节");
    return v;
  }
  function isInt(v) { return (typeof v === "number" && Number.isInteger(v)) || typeof v === "bigint"; }
  function checkHex64(v, what) {
    if (typeof v !== "string" || !/^[0-9a-f]{64}$/.test(v)) throw new FdError("HEX_INVALID", what + " 必须是 64 位小写十六进制字符串");
    return v;
  }
  function realDate(y, m, d) {
    if (y < 1 || m < 1 || m > 12 || d < 1) return false;
    var days = [31, (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    return d <= days[m - 1];
  }
  function checkDate(v, what, allowEmpty) {
    if (allowEmpty && v === "") return "";
    if (typeof v !== "string" || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(v) ||
        !realDate(+v.slice(0, 4), +v.slice(5, 7), +v.slice(8, 10))) {
      throw new FdError("PLAN_DATE", what + " 必须是 YYYY-MM-DD 格式的日期");
    }
    return v;
  }
  // A timestamp (spec §2) as seconds since the epoch; FdError PUBLISHED_AT when malformed.
  function timestamp(v) {
    var m = typeof v === "string" && /^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})([+-])([0-9]{2}):([0-9]{2})$/.exec(v);
    if (!m || +m[8] > 23 || +m[9] > 59 || !realDate(+m[1], +m[2], +m[3]) || +m[4] > 23 || +m[5] > 59 || +m[6] > 59) {
      throw new FdError("PUBLISHED_AT", "公告时间必须是带时区的 ISO 8601 时间，如 2025-03-01T10:00:00+08:00");
    }
    var local = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
    if (+m[1] < 100) { var d = new Date(0); d.setUTCFullYear(+m[1], +m[2] - 1, +m[3]); d.setUTCHours(+m[4], +m[5], +m[6]); local = d.getTime() / 1000; }
    return local - (m[7] === "+" ? 1 : -1) * (+m[8] * 3600 + +m[9] * 60);
  }
  function isoUtc(seconds) {
    var d = new Date(seconds * 1000);
    function p(x) { return ("0" + x).slice(-2); }
    return ("000" + d.getUTCFullYear()).slice(-4) + "-" + p(d.getUTCMonth() + 1) + "-" + p(d.getUTCDate()) + "T" +
      p(d.getUTCHours()) + ":" + p(d.getUTCMinutes()) + ":" + p(d.getUTCSeconds()) + "+00:00";
  }

  // ---------------------------------------------------------------- plan (spec §4.1)
  function planInt(v, what, lo) {
    if (!isInt(v) || v < lo) throw new FdError("PLAN_INT", what + " 必须是不小于 " + lo + " 的整数");
    return v;
  }
  function sameKeys(d, expected) {
    if (!isObj(d)) return false;
    var ks = Object.keys(d);
    return ks.length === expected.length && expected.every(function (k) { return k in d; });
  }
  function planKeys(d, expected, what) {
    if (!sameKeys(d, expected)) throw new FdError("PLAN_KEYS", what + " 的字段应为 " + expected.slice().sort().join("、"));
  }
  // parse_fraction + parse_rate: "p/q", a decimal or a percent string, or an integer.
  function parseRate(v, what) {
    what = what || "抽查比例";
    var f = null;
    if (typeof v === "boolean") throw new FdError("FRACTION_INVALID", what + " 不能是布尔值");
    if (isInt(v)) f = frac(v);
    else if (typeof v === "string") {
      var s = v.replace(/^[\s]+|[\s]+$/g, "");
      var dec = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;
      var decToFrac = function (t) {
        var m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?$/.exec(t);
        var digits = (m[2] || "") + (m[3] || ""), e = (m[4] ? parseInt(m[4], 10) : 0) - (m[3] || "").length;
        var num = BigInt(digits || "0") * (m[1] === "-" ? -1n : 1n);
        return e >= 0 ? frac(num * 10n ** BigInt(e)) : frac(num, 10n ** BigInt(-e));
      };
      if (s.endsWith("%")) { if (dec.test(s.slice(0, -1))) f = fdiv(decToFrac(s.slice(0, -1)), frac(100)); }
      else if (s.indexOf("/") >= 0) {
        var pq = s.split("/");
        if (pq.length === 2) {
          var p = pq[0].trim(), q = pq[1].trim();
          var pd = p.replace(/^-/, "");
          if (/^[0-9]+$/.test(pd) && /^[0-9]+$/.test(q) && BigInt(q) !== 0n) f = frac(BigInt(p), BigInt(q));
        }
      } else if (dec.test(s)) f = decToFrac(s);
    }
    if (f === null) throw new FdError("FRACTION_INVALID", what + " 格式无效（应为 \"p/q\"、小数或百分数）");
    if (f.n < 0n || f.n > f.d) throw new FdError("RATE_RANGE", what + " 必须在 0 到 1 之间");
    return f;
  }
  function stratumRule(d) {
    planKeys(d, ["rate", "min", "max", "certainty", "method"], "分层规则");
    var rate = parseRate(d.rate);
    planInt(d.min, "最少抽取数 min", 0);
    if (d.max !== null) {
      planInt(d.max, "最多抽取数 max", 0);
      if (d.max < d.min) throw new FdError("PLAN_MIN_MAX", "最多抽取数小于最少抽取数");
    }
    if (d.method !== "srs" && d.method !== "pivotal") throw new FdError("PLAN_METHOD", "抽取方法必须是 srs 或 pivotal");
    if (typeof d.certainty !== "boolean") throw new FdError("PLAN_CERTAINTY", "certainty 必须是布尔值");
    return { rate: rate, min: Number(d.min), max: d.max === null ? null : Number(d.max), certainty: d.certainty, method: d.method };
  }
  function ruleDict(r) { return { rate: fstr(r.rate), min: r.min, max: r.max, certainty: r.certainty, method: r.method }; }
  var ASSIGN_KEYS = ["inspection_date", "inspection_end", "group_size", "require_specialist", "region_rule", "max_load", "balance"];
  function assignmentRules(d) {
    planKeys(d, ASSIGN_KEYS, "选派规则");
    checkDate(d.inspection_date, "检查日期 inspection_date");
    checkDate(d.inspection_end, "检查结束日期 inspection_end", true);
    if (d.inspection_end && d.inspection_end < d.inspection_date) throw new FdError("PLAN_DATE", "检查结束日期早于开始日期");
    planInt(d.group_size, "检查组人数 group_size", 2);
    if (d.max_load !== null) planInt(d.max_load, "每人最多任务数 max_load", 1);
    if (["any", "same", "different"].indexOf(d.region_rule) < 0) throw new FdError("PLAN_REGION_RULE", "地区规则必须是 any、same 或 different");
    ["require_specialist", "balance"].forEach(function (k) {
      if (typeof d[k] !== "boolean") throw new FdError("PLAN_BOOL", k + " 必须是布尔值");
    });
    var out = {};
    ASSIGN_KEYS.forEach(function (k) { out[k] = d[k]; });
    out.window_end = d.inspection_end || d.inspection_date;
    return out;
  }
  function parsePlan(d) {
    planKeys(d, ["algorithm", "default", "strata", "substitutes", "assignment"], "抽查方案");
    if (d.algorithm !== "fairdraw/SRV1") throw new FdError("PLAN_ALGORITHM", "不支持的算法版本（应为 fairdraw/SRV1）");
    if (!isObj(d.strata)) throw new FdError("PLAN_KEYS", "strata 必须是对象");
    var plan = { "default": stratumRule(d["default"]), strata: Object.create(null) };
    Object.keys(d.strata).forEach(function (h) { plan.strata[h] = stratumRule(d.strata[h]); });
    plan.assignment = d.assignment === null ? null : assignmentRules(d.assignment);
    Object.keys(plan.strata).forEach(function (h) { checkText(h, "分层代码"); });
    planInt(d.substitutes, "候补数量 substitutes", 0);
    plan.substitutes = Number(d.substitutes);
    plan.ruleFor = function (h) { return Object.prototype.hasOwnProperty.call(plan.strata, h) ? plan.strata[h] : plan["default"]; };
    return plan;
  }
  function planDict(plan) {
    var strata = {};
    sortedKeys(plan.strata).forEach(function (h) { strata[h] = ruleDict(plan.strata[h]); });
    var a = null;
    if (plan.assignment) { a = {}; ASSIGN_KEYS.forEach(function (k) { a[k] = plan.assignment[k]; }); }
    return { algorithm: "fairdraw/SRV1", "default": ruleDict(plan["default"]), strata: strata, substitutes: plan.substitutes, assignment: a };
  }

  // ---------------------------------------------------------------- commitment record (spec §4.3)
  var COMMITMENT_KEYS = ["format", "draw_id", "attempt", "task", "plan", "pool_format", "pool_digest", "units", "strata",
    "roster_digest", "public_sources", "published_at", "hash"];
  var HASH_NAMES = { sha256: true, sm3: true };
  function checkCommitment(record) {
    var v2 = isObj(record) && record.format === "fairdraw-commitment/2";
    var keys = v2 ? COMMITMENT_KEYS.concat(["pool_merkle_root"]) : COMMITMENT_KEYS;
    if (!sameKeys(record, keys)) throw new Malformed("COMMITMENT_KEYS", "承诺记录的字段应为 " + keys.join("、"));
    if ((record.format !== "fairdraw-commitment/1" && record.format !== "fairdraw-commitment/2") ||
        record.pool_format !== "fairdraw-pool/1" || typeof record.hash !== "string" ||
        !Object.prototype.hasOwnProperty.call(HASH_NAMES, record.hash)) {
      throw new Malformed("COMMITMENT_FORMAT", "承诺记录格式应为 fairdraw-commitment/2（或 /1）、号池格式 fairdraw-pool/1、哈希 sha256 或 sm3");
    }
    var rebuilt;
    try {
      rebuilt = buildCommitment(record, v2);
    } catch (e) {
      if (e instanceof FdError) throw new Malformed(e.code, "承诺记录无效：" + e.message);
      if (e instanceof Malformed) throw e;
      throw new Malformed("COMMITMENT_INVALID", "承诺记录结构无效：" + (e && e.message));
    }
    if (canonText(rebuilt) !== canonText(record)) {
      throw new Malformed("COMMITMENT_NOT_CANONICAL", "承诺记录不是规范形式（例如分层规则或数量字段格式不规范）");
    }
    return rebuilt;
  }
  function buildCommitment(r, v2) {
    checkText(r.draw_id, "抽查编号 draw_id");
    var plan = planDict(parsePlan(r.plan));
    checkHex64(r.pool_digest, "号池摘要 pool_digest");
    if (r.roster_digest !== null) checkHex64(r.roster_digest, "执法人员名录摘要 roster_digest");
    else if (plan.assignment !== null) {
      throw new FdError("ROSTER_NOT_COMMITTED", "抽查方案包含随机选派执法人员规则，但承诺记录没有承诺执法人员名录（roster_digest 为空）：检查组可能在随机值公布后才确定，不予接受");
    }
    if (!isInt(r.attempt) || r.attempt < 1 || r.attempt > MAX_SAFE) throw new FdError("ATTEMPT", "抽取次序号 attempt 必须是正整数");
    var ps = r.public_sources;
    var empty = ps === null || ps === false || ps === 0 || ps === "" || (Array.isArray(ps) && !ps.length) || (isObj(ps) && !Object.keys(ps).length);
    if (empty) throw new FdError("NO_PUBLIC_SOURCE", "至少需要公布一个公开随机源（如彩票期号、drand 轮次）");
    if (!Array.isArray(ps)) throw new FdError("PUBLIC_SOURCES", "public_sources 必须是列表");
    ps.forEach(function (s, i) {
      if (!isObj(s) || !("kind" in s)) throw new FdError("PUBLIC_SOURCES", "第 " + (i + 1) + " 个公开随机源必须是含 kind 字段的对象");
      checkText(s.kind, "第 " + (i + 1) + " 个公开随机源的 kind");
    });
    if (!isObj(r.strata)) throw new StructureError("strata 必须是对象");
    var counts = {};
    sortedKeys(r.strata).forEach(function (h) {
      var c = r.strata[h];
      if (!isObj(c) || !("total" in c) || !("eligible" in c) || !("excluded" in c)) throw new StructureError("strata." + h);
      counts[h] = { total: c.total, eligible: c.eligible, excluded: c.excluded };
    });
    Object.keys(counts).forEach(function (h) {
      var c = counts[h];
      checkText(h, "分层代码");
      if (!isInt(c.total) || !isInt(c.eligible) || !isInt(c.excluded)) throw new FdError("STRATA_COUNTS", "分层 " + h + " 的数量必须是整数");
      var t = BigInt(c.total), e = BigInt(c.eligible), x = BigInt(c.excluded);
      if (t !== e + x || t < 0n || e < 0n || x < 0n) throw new FdError("STRATA_COUNTS", "分层 " + h + " 的数量不一致");
    });
    var sums = { total: 0n, eligible: 0n, excluded: 0n }, units = {};
    Object.keys(counts).forEach(function (h) { ["total", "eligible", "excluded"].forEach(function (k) { sums[k] += BigInt(counts[h][k]); }); });
    ["total", "eligible", "excluded"].forEach(function (k) { units[k] = bigOrNum(sums[k]); });
    var task = r.task === null ? {} : r.task;
    if (!isObj(task)) throw new FdError("TASK", "task 必须是对象（JSON object）");
    timestamp(r.published_at);
    var out = {
      format: v2 ? "fairdraw-commitment/2" : "fairdraw-commitment/1", draw_id: r.draw_id, attempt: r.attempt, task: task,
      plan: plan, pool_format: "fairdraw-pool/1", pool_digest: r.pool_digest, units: units, strata: counts,
      roster_digest: r.roster_digest, public_sources: ps, published_at: r.published_at, hash: r.hash
    };
    if (v2) out.pool_merkle_root = checkHex64(r.pool_merkle_root, "号池默克尔根 pool_merkle_root");
    canonText(out);
    return out;
  }

  // ---------------------------------------------------------------- pool snapshot (spec §3)
  var POOL_HEADER = "fairdraw-pool/1\tunit_id\tstratum\tweight_ppm\tregion\tspecialty\texcluded_reason\n";
  // The snapshot, strictly checked in the order of the Python reader: header, control characters, final LF,
  // UTF-8 and NFC, then line by line (``knownStrata``: a line of a stratum not committed is POOL_MISMATCH).
  function parsePool(bytes, knownStrata) {
    var header = utf8(POOL_HEADER);
    for (var i = 0; i < header.length; i++) {
      if (bytes[i] !== header[i]) throw new Malformed("POOL_HEADER", "快照首行必须是 " + JSON.stringify(POOL_HEADER));
    }
    var line = 1;
    for (i = 0; i < bytes.length; i++) {
      var b = bytes[i];
      if (b === 10) line++;
      else if ((b < 32 && b !== 9) || b === 127) throw new Malformed("POOL_CONTROL_CHAR", "快照第 " + line + " 行含有控制字符（不允许 CR、NUL 等）");
    }
    if (bytes[bytes.length - 1] !== 10) throw new Malformed("POOL_NO_FINAL_LF", "快照最后一行必须以换行符 LF 结尾");
    var text;
    try { text = decodeUtf8(bytes); } catch (e) { throw new Malformed("POOL_UTF8", "快照不是有效的 UTF-8 文本"); }
    if (!isAscii(text) && text.normalize("NFC") !== text) throw new Malformed("POOL_TEXT", "快照含有不是 Unicode NFC 规范形式的文本");
    var lines = text.slice(POOL_HEADER.length).split("\n");
    lines.pop();
    var rows = [], prev = "";
    lines.forEach(function (ln, j) {
      var no = j + 2;
      var f = ln.split("\t");
      if (f.length !== 6) throw new Malformed("POOL_FIELDS", "快照第 " + no + " 行应有 6 个字段，实际 " + f.length + " 个");
      if (cmpStr(f[0], prev) <= 0) throw new Malformed("POOL_ORDER", "快照第 " + no + " 行的 unit_id 为空、未按字节升序排列或有重复");
      if (!f[1]) throw new Malformed("POOL_EMPTY_FIELD", "快照第 " + no + " 行的 stratum 为空");
      var w = f[2];
      if (!/^[0-9]+$/.test(w) || (w[0] === "0" && w.length > 1) || w.length > 13 || BigInt(w) > 1000000000000n) {
        throw new Malformed("POOL_WEIGHT", "快照第 " + no + " 行的 weight_ppm 不是 0 到 10^12 的规范整数");
      }
      if (w === "0" && !f[5]) throw new Malformed("POOL_WEIGHT", "快照第 " + no + " 行未被排除，weight_ppm 不能为 0");
      if (f.some(function (x, k) { return k !== 2 && utf8Len(x) > 256; })) throw new Malformed("POOL_TEXT", "快照第 " + no + " 行有超过 256 字节的文本字段");
      if (knownStrata && !Object.prototype.hasOwnProperty.call(knownStrata, f[1])) {
        throw new FdError("POOL_MISMATCH", "号池中的分层 " + pyRepr(f[1]) + " 不在已承诺的分层中");
      }
      prev = f[0];
      rows.push({ unit_id: f[0], stratum: f[1], weight: BigInt(w), region: f[3], specialty: f[4], reason: f[5], line: ln });
    });
    return rows;
  }

  // ---------------------------------------------------------------- Merkle root (spec §3.1, RFC 6962)
  function merkleRoot(H, rows) {
    if (!rows.length) return H(new Uint8Array(0)).then(hex);
    return hashAll(H, rows.map(function (r) { return concat([new Uint8Array([0]), utf8(r.line)]); })).then(function up(level) {
      if (level.length === 1) return hex(level[0]);
      var next = [];
      for (var i = 0; i + 1 < level.length; i += 2) next.push(concat([new Uint8Array([1]), level[i], level[i + 1]]));
      return hashAll(H, next).then(function (nx) { if (level.length % 2) nx.push(level[level.length - 1]); return up(nx); });
    });
  }

  // ---------------------------------------------------------------- seeded randomness (spec §5)
  function makeRng(H, seed) {
    var TWO256 = 1n << 256n;
    function uniformBelow(tag, parts, m) {
      m = BigInt(m);
      if (!(m > 0n && m < (1n << 200n))) throw new StructureError("m out of range");
      var limit = (TWO256 / m) * m;
      var head = lp([utf8("SRV1/" + tag), seed].concat(parts));
      function attempt(c) {
        return H(concat([head, lp([u32(c)])])).then(function (d) {
          var x = bigOf(d);
          return x < limit ? x % m : attempt(c + 1);
        });
      }
      return attempt(0);
    }
    function bernoulli(tag, parts, p) {
      if (p.n <= 0n) return Promise.resolve(false);
      if (p.n >= p.d) return Promise.resolve(true);
      return uniformBelow(tag, parts, p.d).then(function (x) { return x < p.n; });
    }
    return { uniformBelow: uniformBelow, bernoulli: bernoulli };
  }
  function checkPublicValue(v, i) {
    if (typeof v !== "string" || !v) throw new FdError("PUBLIC_VALUE", "第 " + (i + 1) + " 个公开随机值必须是非空字符串");
    if (/[\x00-\x1f\x7f]/.test(v) || v.normalize("NFC") !== v) throw new FdError("PUBLIC_VALUE", "第 " + (i + 1) + " 个公开随机值含有控制字符或不是 NFC");
    var b = utf8(v);
    if (b.length > 4096) throw new FdError("PUBLIC_VALUE", "第 " + (i + 1) + " 个公开随机值过长");
    return b;
  }
  function deriveSeed(H, chash, values) {
    checkHex64(chash, "承诺哈希 commitment_hash");
    var vals = values.map(checkPublicValue);
    if (!vals.length) throw new FdError("NO_PUBLIC_VALUE", "至少需要一个公开随机值");
    return H(lp([utf8("SRV1/seed"), fromHex(chash)].concat(vals)));
  }

  // ---------------------------------------------------------------- allocation (spec §6)
  async function allocate(H, rng, seed, strata, plan) {
    var hs = Object.keys(strata);
    var targets = {}, fracs = {};
    hs.forEach(function (h) {
      var r = plan.ruleFor(h), e = strata[h].eligible;
      targets[h] = r.certainty ? frac(e) : fmul(r.rate, frac(e));
      fracs[h] = fsub(targets[h], frac(ffloor(targets[h])));
    });
    var open = hs.filter(function (h) { return fracs[h].n > 0n; });
    var keys = {};
    await Promise.all(open.map(function (h) {
      return H(concat([seed, utf8("\x00alloc\x00"), utf8(h)])).then(function (d) { keys[h] = hex(d); });
    }));
    open.sort(function (a, b) { return keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : cmpStr(a, b); });
    var B = {}, carry = null, ONE = frac(1);
    for (var j = 0; j < open.length; j++) {
      var h = open[j], a = fracs[h];
      if (carry === null) { carry = [h, a]; continue; }
      var c = carry[0], ac = carry[1], s = fadd(ac, a), parts = [utf8(c), utf8(h)];
      if (fcmp(s, ONE) < 0) {
        if (await rng.bernoulli("alloc", parts, fdiv(ac, s))) { B[h] = 0; carry = [c, s]; }
        else { B[c] = 0; carry = [h, s]; }
      } else {
        if (await rng.bernoulli("alloc", parts, fdiv(fsub(ONE, a), fsub(frac(2), s)))) { B[c] = 1; carry = [h, fsub(s, ONE)]; }
        else { B[h] = 1; carry = [c, fsub(s, ONE)]; }
        if (carry[1].n === 0n) { B[carry[0]] = 0; carry = null; }
      }
    }
    if (carry !== null) B[carry[0]] = (await rng.bernoulli("alloc-final", [utf8(carry[0])], carry[1])) ? 1 : 0;
    var out = {};
    hs.slice().sort(cmpStr).forEach(function (h) {
      var r = plan.ruleFor(h), c = strata[h], t = targets[h];
      var rounded = Number(ffloor(t)) + (B[h] || 0), n = rounded, clamp = r.certainty ? "certainty" : "";
      if (!r.certainty) {
        var lo = Math.min(r.min, c.eligible), hi = r.max === null ? c.eligible : Math.min(r.max, c.eligible);
        if (n < lo) { n = lo; clamp = "min"; } else if (n > hi) { n = hi; clamp = "max"; }
      }
      out[h] = { total: c.total, eligible: c.eligible, excluded: c.excluded, method: r.method, certainty: r.certainty,
        rate: fstr(r.rate), target: fstr(t), rounded: rounded, n: n, clamp: clamp };
    });
    return out;
  }

  // ---------------------------------------------------------------- selection (spec §7)
  async function select(H, rng, seed, rows, allocation, plan) {
    var state = {};
    Object.keys(allocation).forEach(function (h) { state[h] = { eligible: 0, excluded: 0, units: [] }; });
    var excluded = [];
    rows.forEach(function (r) {
      var st = state[r.stratum];
      if (r.reason) { st.excluded++; excluded.push([r.unit_id, r.stratum, r.reason]); } else { st.eligible++; st.units.push(r); }
    });
    Object.keys(allocation).forEach(function (h) {
      var a = allocation[h], st = state[h];
      if (st.eligible !== a.eligible || st.excluded !== a.excluded) {
        throw new FdError("POOL_MISMATCH", "分层 " + h + " 的号池数量（可抽 " + st.eligible + "，排除 " + st.excluded +
          "）与承诺（可抽 " + a.eligible + "，排除 " + a.excluded + "）不一致");
      }
    });
    var prefix = concat([seed, utf8("\x00unit\x00")]);
    var all = [];
    Object.keys(state).forEach(function (h) { all = all.concat(state[h].units); });
    var keys = await hashAll(H, all.map(function (r) { return concat([prefix, utf8(r.unit_id)]); }));
    all.forEach(function (r, j) { r.key = hex(keys[j]); });
    var byKey = function (x, y) { return x.key < y.key ? -1 : x.key > y.key ? 1 : cmpStr(x.unit_id, y.unit_id); };
    var selection = {}, units = {};
    for (var hi = 0, hs = Object.keys(allocation).sort(cmpStr); hi < hs.length; hi++) {
      var h = hs[hi], a = allocation[h], order = state[h].units.sort(byKey);
      if (a.method !== "pivotal") {
        var keep = order.slice(0, a.n + Math.min(plan.substitutes, a.eligible - a.n));
        keep.forEach(function (r) { units[r.unit_id] = r; });
        var sel = keep.slice(0, a.n);
        selection[h] = { method: "srs", eligible: a.eligible, n: a.n, selected: sel.map(function (r) { return r.unit_id; }),
          substitutes: keep.slice(a.n).map(function (r) { return r.unit_id; }), probability: a.n + "/" + a.eligible,
          threshold: a.n ? { key: sel[a.n - 1].key, unit_id: sel[a.n - 1].unit_id } : { key: "", unit_id: "" } };
      } else {
        selection[h] = await pivotal(rng, h, a, order, plan.substitutes, units);
      }
    }
    excluded.sort(function (x, y) { return cmpStr(x[0], y[0]); });
    return { selection: selection, excluded: excluded, units: units };
  }
  async function pivotal(rng, h, a, items, nSubs, units) {
    var w = items.map(function (r) { return r.weight; }), n = BigInt(a.n);
    var certain = items.map(function () { return false; }), nf, W;
    for (;;) {
      var rest = [];
      certain.forEach(function (c, i) { if (!c) rest.push(i); });
      nf = n - BigInt(items.length - rest.length);
      W = rest.reduce(function (s, i) { return s + w[i]; }, 0n);
      if (nf <= 0n || W === 0n) { if (nf < 0n) nf = 0n; break; }
      var fresh = rest.filter(function (i) { return nf * w[i] >= W; });
      if (!fresh.length) break;
      fresh.forEach(function (i) { certain[i] = true; });
    }
    var chosen = certain.slice();
    if (nf > 0n) {
      var idx = [];
      certain.forEach(function (c, i) { if (!c) idx.push(i); });
      var hb = utf8(h), D = W, carry = -1, cm = 0n;
      var decide = async function (p, num, den) { return (await rng.uniformBelow("pivot", [hb, utf8(items[idx[p]].unit_id)], den)) < num; };
      for (var p = 0; p < idx.length; p++) {
        var m = nf * w[idx[p]];
        if (carry < 0) { carry = p; cm = m; continue; }
        var s = cm + m;
        if (s < D) {
          if (!(await decide(p, cm, s))) carry = p;
          cm = s;
        } else {
          if (await decide(p, D - m, 2n * D - s)) { chosen[idx[carry]] = true; carry = p; }
          else chosen[idx[p]] = true;
          cm = s - D;
          if (cm === 0n) carry = -1;
        }
      }
      if (carry >= 0) throw new FdError("PIVOTAL_SUM", "pivotal：概率之和不是整数");
    }
    var sel = [], subs = [];
    items.forEach(function (r, j) { if (chosen[j]) sel.push(r); else if (subs.length < nSubs) subs.push(r); });
    sel.concat(subs).forEach(function (r) { units[r.unit_id] = r; });
    var ids = function (l) { return l.map(function (r) { return r.unit_id; }); };
    return { method: "pivotal", eligible: a.eligible, n: sel.length, selected: ids(sel), substitutes: ids(subs),
      probability: nf + "*w/" + W, threshold: { key: "", unit_id: "" },
      pivotal: { certain: ids(items.filter(function (r, j) { return certain[j]; })), pi_factor: Number(nf), pi_denominator: bigOrNum(W) } };
  }
  function pyRepr(v) {
    if (v === null) return "None";
    if (v === true) return "True";
    if (v === false) return "False";
    if (typeof v === "string") return "'" + v.replace(/\\/g, "\\\\").replace(/'/g, "\\'") + "'";
    return show(v);
  }
  // Python's str() of a parsed JSON value, for text that the Python verifier writes with an f-string.
  function pyStrRepr(s) {
    var q = s.indexOf("'") >= 0 && s.indexOf('"') < 0 ? '"' : "'", out = q;
    for (var ch of s) {
      var c = ch.codePointAt(0);
      if (ch === q || ch === "\\") out += "\\" + ch;
      else if (ch === "\t") out += "\\t";
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (c < 0x20 || c === 0x7f || (c > 0x7f && /^[\p{C}\p{Z}]$/u.test(ch))) {
        var h = c.toString(16);
        out += c <= 0xff ? "\\x" + ("0" + h).slice(-2) : c <= 0xffff ? "\\u" + ("000" + h).slice(-4) : "\\U" + ("0000000" + h).slice(-8);
      } else out += ch;
    }
    return out + q;
  }
  function pyStr(v, nested) {
    if (typeof v === "string") return nested ? pyStrRepr(v) : v;
    if (v === null || v === undefined) return "None";
    if (v === true) return "True";
    if (v === false) return "False";
    if (typeof v === "number" || typeof v === "bigint") return String(v);
    if (Array.isArray(v)) return "[" + v.map(function (x) { return pyStr(x, true); }).join(", ") + "]";
    return "{" + Object.keys(v).map(function (k) { return pyStrRepr(k) + ": " + pyStr(v[k], true); }).join(", ") + "}";
  }
  // A string without lone surrogates has a UTF-8 encoding (Python's str.encode raises otherwise).
  function wellFormed(s) { return !/[\ud800-\udbff](?![\udc00-\udfff])|(?:^|[^\ud800-\udbff])[\udc00-\udfff]/.test(s); }
  function bigOrNum(b) { return (b <= BigInt(MAX_SAFE) && b >= -BigInt(MAX_SAFE)) ? Number(b) : b; }

  // ---------------------------------------------------------------- roster (spec §4.2)
  var INSPECTOR_KEYS = ["inspector_id", "region", "specialties", "cert_valid_from", "cert_valid_to", "max_load", "conflict_units"];
  function uniqSorted(list) {
    var s = list.slice().sort(cmpStr);
    return s.filter(function (x, i) { return i === 0 || x !== s[i - 1]; });
  }
  // The inspectors of a roster (format 1, or format 2 without their committed 回避 pairs, spec §4.2.2).
  function parseRoster(data) {
    var d = (data instanceof Uint8Array) ? loadJson(data, "执法人员名录") : data;
    if (isObj(d) && d.format === "fairdraw-roster/2") return parseRosterV2(d).inspectors;
    if (!isObj(d) || d.format !== "fairdraw-roster/1" || !sameKeys(d, ["format", "inspectors"])) {
      throw new Malformed("ROSTER_FORMAT", "执法人员名录格式应为 fairdraw-roster/1");
    }
    if (!Array.isArray(d.inspectors)) throw new Malformed("ROSTER_FORMAT", "inspectors 必须是列表");
    // As Python's Inspector.from_dict: per inspector the keys, then tuple(specialties), tuple(conflict_units).
    var asTuple = function (v) {
      if (Array.isArray(v)) return v;
      if (typeof v === "string") return Array.from(v);
      if (isObj(v)) return Object.keys(v);
      throw new FdError("ROSTER_INVALID", "专业和回避对象必须是列表");
    };
    var canon;
    try {
      var out = d.inspectors.map(function (x) {
        if (!sameKeys(x, INSPECTOR_KEYS)) throw new Malformed("ROSTER_FIELDS", "执法人员记录的字段应为 " + INSPECTOR_KEYS.slice().sort().join("、"));
        return { inspector_id: x.inspector_id, region: x.region, specialties: asTuple(x.specialties),
          cert_valid_from: x.cert_valid_from, cert_valid_to: x.cert_valid_to, max_load: x.max_load,
          conflict_units: asTuple(x.conflict_units) };
      });
      if (out.some(function (x) { return typeof x.inspector_id !== "string"; })) throw new StructureError("inspector_id");
      canon = rosterDict(out);
    } catch (e) {
      if (e instanceof FdError) throw new Malformed("ROSTER_INVALID", "执法人员名录无效：" + e.message);
      throw e;
    }
    if (canonText(canon) !== canonText(d)) throw new Malformed("ROSTER_NOT_CANONICAL", "执法人员名录不是规范形式（须按编号排序、列表排序去重）");
    return canon.inspectors;
  }
  function rosterDict(list) {
    var items = list.slice().sort(function (a, b) { return cmpStr(a.inspector_id, b.inspector_id); });
    items.forEach(function (i) {
      var iid = checkText(i.inspector_id, "执法人员编号 inspector_id");
      checkText(i.region, "执法人员 " + iid + " 的 region", true);
      Array.from(i.specialties).forEach(function (s) { checkText(s, "执法人员 " + iid + " 的专业"); });
      Array.from(i.conflict_units).forEach(function (u) { checkText(u, "执法人员 " + iid + " 的回避对象"); });
      [i.cert_valid_from, i.cert_valid_to].forEach(function (v) { checkDate(v, "执法人员 " + iid + " 的执法证有效期", true); });
      if (i.max_load !== null && (!isInt(i.max_load) || i.max_load < 0)) throw new FdError("ROSTER_MAX_LOAD", "执法人员 " + iid + " 的 max_load 必须是非负整数");
    });
    for (var j = 1; j < items.length; j++) {
      if (items[j].inspector_id === items[j - 1].inspector_id) throw new FdError("ROSTER_DUPLICATE", "执法人员名录中编号重复：" + items[j].inspector_id);
    }
    return { format: "fairdraw-roster/1", inspectors: items.map(function (i) {
      return { inspector_id: i.inspector_id, region: i.region, specialties: uniqSorted(Array.from(i.specialties)),
        cert_valid_from: i.cert_valid_from, cert_valid_to: i.cert_valid_to, max_load: i.max_load,
        conflict_units: uniqSorted(Array.from(i.conflict_units)) };
    }) };
  }

  // ---------------------------------------------------------------- committed 回避 pairs (spec §4.2.2)
  function asTupleOf(v) {
    if (Array.isArray(v)) return v;
    if (typeof v === "string") return Array.from(v);
    if (isObj(v)) return Object.keys(v);
    throw new FdError("ROSTER_INVALID", "专业必须是列表");
  }
  function parseRosterV2(d) {
    if (!sameKeys(d, ["format", "inspectors", "conflicts"]) || !Array.isArray(d.inspectors)) {
      throw new Malformed("ROSTER_FORMAT", "执法人员名录 fairdraw-roster/2 的字段应为 format、inspectors、conflicts");
    }
    if (!Array.isArray(d.conflicts) || !d.conflicts.every(function (c) { return typeof c === "string"; })) {
      throw new Malformed("ROSTER_FORMAT", "conflicts 必须是字符串列表");
    }
    var rebuilt;
    try {
      var ins = d.inspectors.map(function (x) {
        if (!isObj(x) || "conflict_units" in x) throw new Malformed("ROSTER_FIELDS", "fairdraw-roster/2 的执法人员记录不含 conflict_units");
        var keys = INSPECTOR_KEYS.filter(function (k) { return k !== "conflict_units"; });
        if (!sameKeys(x, keys)) throw new Malformed("ROSTER_FIELDS", "执法人员记录的字段应为 " + INSPECTOR_KEYS.slice().sort().join("、"));
        return { inspector_id: x.inspector_id, region: x.region, specialties: asTupleOf(x.specialties),
          cert_valid_from: x.cert_valid_from, cert_valid_to: x.cert_valid_to, max_load: x.max_load, conflict_units: [] };
      });
      if (ins.some(function (x) { return typeof x.inspector_id !== "string"; })) throw new StructureError("inspector_id");
      var base = rosterDict(ins);
      var cs = d.conflicts.slice().sort(cmpStr);
      cs.forEach(function (c, i) {
        if (!/^[0-9a-f]{64}$/.test(c)) throw new FdError("CONFLICT_COMMITMENT", "回避声明承诺必须是 64 位小写十六进制");
        if (i && c === cs[i - 1]) throw new FdError("CONFLICT_COMMITMENT", "回避声明承诺重复");
      });
      rebuilt = { format: "fairdraw-roster/2", inspectors: base.inspectors.map(function (i) {
        var o = {};
        Object.keys(i).forEach(function (k) { if (k !== "conflict_units") o[k] = i[k]; });
        return o;
      }), conflicts: cs };
    } catch (e) {
      if (e instanceof Malformed) throw e;
      if (e instanceof FdError) throw new Malformed("ROSTER_INVALID", "执法人员名录无效：" + e.message);
      throw e;
    }
    if (canonText(rebuilt) !== canonText(d)) {
      throw new Malformed("ROSTER_NOT_CANONICAL", "执法人员名录不是规范形式（须按编号排序、列表排序去重，回避承诺升序且不重复）");
    }
    return { inspectors: rebuilt.inspectors.map(function (i) {
      var o = {}; Object.keys(i).forEach(function (k) { o[k] = i[k]; }); o.conflict_units = []; return o;
    }), conflicts: d.conflicts.slice() };
  }
  function checkPairs(value, what) {
    if (!Array.isArray(value)) throw new Malformed("CONFLICT_PAIRS", what + "必须是列表");
    var out = value.map(function (p, i) {
      if (!sameKeys(p, ["inspector_id", "unit_id", "salt"])) throw new Malformed("CONFLICT_PAIRS", what + "第 " + (i + 1) + " 项的字段应为 inspector_id、unit_id、salt");
      try {
        checkText(p.inspector_id, what + "第 " + (i + 1) + " 项的 inspector_id", false, Malformed);
        checkText(p.unit_id, what + "第 " + (i + 1) + " 项的 unit_id", false, Malformed);
      } catch (e) { if (e instanceof Malformed) throw new Malformed("CONFLICT_PAIRS", e.message); throw e; }
      if (typeof p.salt !== "string" || !/^[0-9a-f]{32}$/.test(p.salt)) throw new Malformed("CONFLICT_PAIRS", what + "第 " + (i + 1) + " 项的 salt 必须是 32 位小写十六进制");
      return { inspector_id: p.inspector_id, unit_id: p.unit_id, salt: p.salt };
    });
    for (var j = 1; j < out.length; j++) {
      var c = cmpStr(out[j - 1].unit_id, out[j].unit_id) || cmpStr(out[j - 1].inspector_id, out[j].inspector_id);
      if (c >= 0) throw new Malformed("CONFLICT_PAIRS", what + "须按 (unit_id, inspector_id) 严格递增排列，且不重复");
    }
    return out;
  }
  function parseConflictKey(data) {
    var d = (data instanceof Uint8Array) ? loadJson(data, "回避声明密钥") : data;
    if (!sameKeys(d, ["format", "roster_digest", "pairs"]) || d.format !== "fairdraw-conflict-key/1") {
      throw new Malformed("CONFLICT_KEY", "回避声明密钥的格式应为 fairdraw-conflict-key/1，字段为 format、roster_digest、pairs");
    }
    if (typeof d.roster_digest !== "string" || !/^[0-9a-f]{64}$/.test(d.roster_digest)) {
      throw new Malformed("CONFLICT_KEY", "回避声明密钥的 roster_digest 必须是 64 位小写十六进制");
    }
    return { digest: d.roster_digest, pairs: checkPairs(d.pairs, "回避声明密钥的 pairs ") };
  }
  // (inspectors with the opened pairs as conflict_units, opened pairs) of a roster/2.
  async function openConflicts(H, rosterObj, rosterDigest, conflictKey) {
    var v2 = parseRosterV2(rosterObj), pairs, complete;
    if (conflictKey === null || conflictKey === undefined) {
      if (v2.conflicts.length) {
        throw new FdError("CONFLICT_KEY_MISSING", "执法人员名录承诺了 " + v2.conflicts.length + " 项回避声明，但没有提供回避声明密钥或公开的回避声明");
      }
      pairs = []; complete = true;
    } else if (Array.isArray(conflictKey)) {
      pairs = checkPairs(conflictKey, "公开的回避声明 conflicts "); complete = false;
    } else {
      var key = parseConflictKey(conflictKey);
      if (key.digest !== rosterDigest) throw new Malformed("CONFLICT_KEY", "回避声明密钥对应的名录摘要与本次抽取的名录不同");
      pairs = key.pairs; complete = true;
    }
    var committed = new Set(v2.conflicts), ids = new Set(v2.inspectors.map(function (i) { return i.inspector_id; })), opened = new Set();
    for (var i = 0; i < pairs.length; i++) {
      var p = pairs[i];
      var c = hex(await H(lp([utf8("SRV1/conflict"), fromHex(p.salt), utf8(p.inspector_id), utf8(p.unit_id)])));
      if (!committed.has(c) || !ids.has(p.inspector_id)) {
        throw new FdError("CONFLICT_NOT_COMMITTED", "第 " + (i + 1) + " 项回避声明（" + p.inspector_id + " 回避 " + p.unit_id + "）不在抽取前承诺的名录中", { position: i });
      }
      opened.add(c);
    }
    if (complete && opened.size !== committed.size) {
      throw new FdError("CONFLICT_KEY_INCOMPLETE", "回避声明密钥只打开了名录中 " + opened.size + " 项承诺中的部分（名录共 " + committed.size + " 项）");
    }
    var by = {};
    pairs.forEach(function (p) { (by[p.inspector_id] = by[p.inspector_id] || []).push(p.unit_id); });
    var inspectors = v2.inspectors.map(function (i) {
      var o = {}; Object.keys(i).forEach(function (k) { o[k] = i[k]; });
      o.conflict_units = (Object.prototype.hasOwnProperty.call(by, i.inspector_id) ? by[i.inspector_id] : []).slice().sort(cmpStr);
      return o;
    });
    return { inspectors: inspectors, pairs: pairs };
  }

  // ---------------------------------------------------------------- inspector assignment (spec §8)
  var INF = Number.MAX_SAFE_INTEGER;
  function problemMessage(code, u, d) {
    if (code === "TOO_FEW_ELIGIBLE") {
      var x = d.excluded;
      return "检查对象 " + u + "：检查组需要 " + d.required + " 名执法人员，但符合条件的只有 " + d.eligible + " 名（名录共 " + d.roster +
        " 名；执法证在检查期间无效 " + x.certificate + " 名，申报回避 " + x.conflict + " 名，不符合地区规则 " + x.region +
        " 名，工作量上限为 0 的 " + x.no_capacity + " 名）。";
    }
    if (code === "NO_SPECIALIST") {
      var n = d.specialists_in_roster;
      var why = n ? "名录中该专业共 " + n + " 名，均因执法证无效、回避、地区规则或工作量上限被排除" : "名录中没有该专业的执法人员";
      return "检查对象 " + u + "：检查组至少需要 1 名\u201c" + d.specialty + "\u201d专业的执法人员，但符合条件的执法人员中没有该专业人员（" + why + "）。";
    }
    return "检查对象 " + u + "：无法组成 " + d.required + " 人检查组\u2014\u2014其可调配的 " + d.inspectors_involved +
      " 名执法人员（含通过与其他检查组调换可腾出的人员）已全部达到工作量上限（合计 " + d.capacity_involved + " 人次），而相关的 " +
      d.tasks_involved + " 个检查对象共需 " + d.required * d.tasks_involved + " 人次。请增加执法人员、提高工作量上限或调整地区规则。";
  }
  function Run(allk, specl, nonl, spec, caps, k) {
    var nt = allk.length, self = this;
    this.nt = nt; this.k = k; this.caps = caps; this.allk = allk; this.specl = specl; this.nonl = nonl; this.spec = spec;
    this.members = allk.map(function () { return new Map(); });
    this.nonspec = allk.map(function () { return 0; });
    this.load = caps.map(function () { return 0; });
    this.eff = caps.map(function (c) { return c > 0 ? 0 : INF; });
    this.tasksOf = caps.map(function () { return []; });
    this.nodesOf = caps.map(function () { return []; });
    function pos(list, t) { var lo = 0, hi = list.length; while (lo < hi) { var m = (lo + hi) >> 1; if (list[m] < t) lo = m + 1; else hi = m; } return lo; }
    this.add = function (t, i) {
      var s = self.spec[t].get(i);
      self.members[t].set(i, s);
      if (!s) self.nonspec[t]++;
      var p = pos(self.tasksOf[i], t);
      self.tasksOf[i].splice(p, 0, t);
      self.nodesOf[i].splice(p, 0, s ? t : nt + t);
      var n = ++self.load[i];
      self.eff[i] = n < self.caps[i] ? n : INF;
    };
    this.remove = function (t, i) {
      var s = self.members[t].get(i);
      self.members[t].delete(i);
      if (!s) self.nonspec[t]--;
      var p = pos(self.tasksOf[i], t);
      self.tasksOf[i].splice(p, 1);
      self.nodesOf[i].splice(p, 1);
      var n = --self.load[i];
      self.eff[i] = n < self.caps[i] ? n : INF;
    };
    this.greedy = function (t) {
      var m = self.members[t], lst = self.nonspec[t] < k - 1 ? allk[t] : specl[t], best = -1, bestEff = INF;
      for (var j = 0; j < lst.length; j++) {
        var i = lst[j], e = m.has(i) ? INF : self.eff[i];
        if (best < 0 || e < bestEff) { best = i; bestEff = e; }
      }
      if (best >= 0 && bestEff < INF) { self.add(t, best); return true; }
      return false;
    };
    this.augment = function (t0) {
      var n2 = 2 * nt, parent = new Map([[t0, -1]]), q = [t0], head = 0, end = -1;
      while (head < q.length) {
        var u = q[head++];
        if (u >= n2) {
          self.nodesOf[u - n2].forEach(function (v) { if (!parent.has(v)) { parent.set(v, u); q.push(v); } });
          continue;
        }
        var t, lst, back;
        if (u < nt) { t = u; lst = specl[u]; back = self.nonspec[u] < k - 1 ? nt + u : -1; }
        else { t = u - nt; lst = nonl[t]; back = self.nonspec[t] > 0 ? t : -1; }
        var m = self.members[t];
        for (var j = 0; j < lst.length; j++) {
          var i = lst[j];
          if (m.has(i)) continue;
          var v = n2 + i;
          if (parent.has(v)) continue;
          parent.set(v, u);
          if (self.load[i] < self.caps[i]) { end = v; break; }
          q.push(v);
        }
        if (end >= 0) break;
        if (back >= 0 && !parent.has(back)) { parent.set(back, u); q.push(back); }
      }
      if (end < 0) return [false, parent];
      var w = end, pu;
      while ((pu = parent.get(w)) >= 0) {
        if (w >= n2 && pu < n2) self.add(pu < nt ? pu : pu - nt, w - n2);
        else if (pu >= n2) self.remove(w < nt ? w : w - nt, pu - n2);
        w = pu;
      }
      return [true, parent];
    };
    this.seatAll = function (t) {
      for (var s = 0; s < k; s++) {
        if (self.greedy(t)) continue;
        var r = self.augment(t);
        if (!r[0]) {
          Array.from(self.members[t].keys()).forEach(function (i) { self.remove(t, i); });
          return [false, r[1]];
        }
      }
      return [true, null];
    };
  }
  async function assignInspectors(H, seed, targets, ins, rules, format) {
    var seedA = await H(lp([utf8("SRV1/assign"), seed]));
    var taskPrefix = concat([seedA, utf8("\x00task\x00")]), tk = {};
    await Promise.all(targets.map(function (u) { return H(concat([taskPrefix, utf8(u.unit_id)])).then(function (d) { tk[u.unit_id] = hex(d); }); }));
    var units = targets.slice().sort(function (a, b) { var x = tk[a.unit_id], y = tk[b.unit_id]; return x < y ? -1 : x > y ? 1 : cmpStr(a.unit_id, b.unit_id); });
    var k = Number(rules.group_size), planCap = rules.max_load === null ? INF : Number(rules.max_load);
    var caps = ins.map(function (i) { return Math.min(planCap, i.max_load === null ? INF : Number(i.max_load)); });
    var start = rules.inspection_date, end = rules.window_end, rule = rules.region_rule;
    var certOk = ins.map(function (i) { return !!(i.cert_valid_from && i.cert_valid_from <= start && end <= i.cert_valid_to); });
    var nCertBad = certOk.filter(function (x) { return !x; }).length;
    var conflicts = new Map(), specs = new Map();
    ins.forEach(function (i, idx) {
      if (certOk[idx]) i.conflict_units.forEach(function (u) { if (!conflicts.has(u)) conflicts.set(u, new Set()); conflicts.get(u).add(idx); });
      i.specialties.forEach(function (s) { if (!specs.has(s)) specs.set(s, new Set()); specs.get(s).add(idx); });
    });
    var regionFails = function (ir, ur) { return !!ur && ((rule === "same" && ir !== ur) || (rule === "different" && ir === ur)); };
    var pairPrefix = concat([seedA, utf8("\x00pair\x00")]);
    var problems = [], elig = [], tasks = [];
    for (var ui = 0; ui < units.length; ui++) {
      var u = units[ui];
      var needSpec = rules.require_specialist && !!u.specialty;
      var specSet = needSpec ? (specs.get(u.specialty) || new Set()) : null;
      var ok = [], fails = 0, zero = 0;
      ins.forEach(function (i, idx) {
        if (!certOk[idx]) return;
        if (regionFails(i.region, u.region)) fails++; else if (caps[idx] <= 0) zero++; else ok.push(idx);
      });
      var why = { certificate: nCertBad, conflict: 0, region: fails, no_capacity: zero };
      var cf = conflicts.get(u.unit_id);
      if (cf && cf.size) {
        why.conflict = cf.size;
        cf.forEach(function (idx) {
          if (regionFails(ins[idx].region, u.region)) why.region--; else if (caps[idx] <= 0) why.no_capacity--;
        });
        ok = ok.filter(function (idx) { return !cf.has(idx); });
      }
      var lst = await Promise.all(ok.map(function (idx) {
        return H(concat([pairPrefix, utf8(u.unit_id), new Uint8Array([0]), utf8(ins[idx].inspector_id)])).then(function (d) {
          return { key: hex(d), idx: idx, spec: specSet === null || specSet.has(idx) };
        });
      }));
      lst.sort(function (a, b) { return a.key < b.key ? -1 : a.key > b.key ? 1 : a.idx - b.idx; });
      var detail = { required: k, eligible: lst.length, roster: ins.length, excluded: why };
      if (lst.length < k) problems.push({ code: "TOO_FEW_ELIGIBLE", unit_id: u.unit_id, detail: detail });
      else if (!lst.some(function (x) { return x.spec; })) {
        detail.specialty = u.specialty;
        detail.specialists_in_roster = needSpec ? specSet.size : 0;
        problems.push({ code: "NO_SPECIALIST", unit_id: u.unit_id, detail: detail });
      } else { tasks.push(u); elig.push(lst); }
    }
    var allk = elig.map(function (l) { return l.map(function (x) { return x.idx; }); });
    var specl = elig.map(function (l) { return l.filter(function (x) { return x.spec; }).map(function (x) { return x.idx; }); });
    var nonl = elig.map(function (l) { return l.filter(function (x) { return !x.spec; }).map(function (x) { return x.idx; }); });
    var spec = elig.map(function (l) { return new Map(l.map(function (x) { return [x.idx, x.spec]; })); });
    var nt = tasks.length;
    function newRun(cap) { return new Run(allk, specl, nonl, spec, cap === null ? caps : caps.map(function (x) { return Math.min(x, cap); }), k); }
    function probe(cap) { var run = newRun(cap); for (var t = 0; t < nt; t++) if (!run.seatAll(t)[0]) return null; return run; }
    function fullRun() {
      var run = newRun(null), fl = [];
      tasks.forEach(function (u, t) {
        var r = run.seatAll(t);
        if (r[0]) return;
        var ts = new Set(), isp = new Set();
        r[1].forEach(function (_, v) { if (v < 2 * nt) ts.add(v < nt ? v : v - nt); else isp.add(v - 2 * nt); });
        var capsum = 0;
        isp.forEach(function (i) { capsum += run.caps[i]; });
        fl.push({ code: "CAPACITY", unit_id: u.unit_id, detail: { required: k, tasks_involved: ts.size, inspectors_involved: isp.size,
          capacity_involved: capsum, inspectors: Array.from(isp).map(function (i) { return ins[i].inspector_id; }).sort(cmpStr) } });
      });
      return [run, fl];
    }
    // Spec §8.5: the smallest feasible uniform cap C by bisection (feasibility is exact and monotone in C).
    var net = null, capUsed = null, fl = [];
    if (rules.balance && nt) {
      var every = new Set();
      allk.forEach(function (l) { l.forEach(function (i) { every.add(i); }); });
      var lo = Math.max(1, Math.ceil(k * nt / Math.max(1, every.size)));
      var first = fullRun();
      if (first[1].length) { net = first[0]; fl = first[1]; }
      else {
        var hi = Math.max.apply(null, first[0].load);
        while (lo < hi) { var mid = Math.floor((lo + hi) / 2); if (probe(mid) !== null) hi = mid; else lo = mid + 1; }
        net = probe(hi); capUsed = hi;
      }
    }
    if (net === null) { var fr = fullRun(); net = fr[0]; fl = fr[1]; }
    problems = problems.concat(fl);
    var groups = {};
    tasks.forEach(function (u, t) {
      if (net.members[t].size === k) groups[u.unit_id] = Array.from(net.members[t].keys()).map(function (i) { return ins[i].inspector_id; }).sort(cmpStr);
    });
    var loads = {};
    ins.forEach(function (i, idx) { loads[i.inspector_id] = net.load[idx]; });
    return { feasible: !problems.length, cap: capUsed, groups: groups, loads: loads,
      problems: problems.map(function (p) {
        return (format === "fairdraw-manifest/3" || format === "fairdraw-manifest/4") ? p : { code: p.code, unit_id: p.unit_id, message: problemMessage(p.code, p.unit_id, p.detail), detail: p.detail };
      }) };
  }

  // ---------------------------------------------------------------- drand evidence, checks 1–3 (spec §5.4)
  var QUICKNET = { name: "quicknet", chain_hash: "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971",
    genesis: 1692803367, period: 3, signature_bytes: 48,
    public_key: "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510" +
      "d1fec758c921cc22b0e17e63aaf4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a" };
  function chainOf(source) {
    var chash = "chain_hash" in source ? source.chain_hash : null, name = "chain" in source ? source.chain : null;
    var chain = chash !== null ? (chash === QUICKNET.chain_hash ? QUICKNET : null) : (name === "quicknet" ? QUICKNET : null);
    if (chain === null || (name !== null && chain.name !== name)) {
      throw new Malformed("DRAND_CHAIN", "不支持的 drand 网络；本校验程序内置的网络：quicknet");
    }
    return chain;
  }
  async function checkEvidence(H, sources, values, evidence) {
    if (evidence === null) evidence = sources.map(function () { return null; });
    if (!Array.isArray(evidence) || evidence.length !== sources.length) {
      throw new Malformed("PUBLIC_EVIDENCE", "public_evidence 必须是与公开随机源一一对应的列表");
    }
    for (var i = 0; i < sources.length; i++) {
      var s = sources[i], ev = evidence[i];
      if (isObj(s) && s.kind === "drand") {
        var where = "第 " + (i + 1) + " 个公开随机源（drand 第 " + s.round + " 轮）";
        if (ev === null) throw new FdError("DRAND_EVIDENCE", where + "：必须同时录入该轮的签名（signature）", { position: i });
        if (!sameKeys(ev, ["chain_hash", "kind", "round", "signature"]) || ev.kind !== "drand") {
          throw new Malformed("DRAND_EVIDENCE", where + "缺少 drand 签名记录，或记录的字段不是 chain_hash、kind、round、signature");
        }
        var chain = chainOf(s);
        if (ev.chain_hash !== chain.chain_hash) throw new FdError("DRAND_CHAIN_MISMATCH", where + "：签名记录的链哈希与承诺记录公布的 drand 网络不一致", { position: i });
        if (typeof ev.round === "boolean" || ev.round !== s.round) throw new FdError("DRAND_ROUND_MISMATCH", where + "：签名记录的轮次 " + pyRepr(ev.round) + " 不是承诺记录公布的轮次", { position: i });
        var sig = typeof ev.signature === "string" ? ev.signature.trim().toLowerCase() : "";
        if (sig.length !== chain.signature_bytes * 2 || !/^[0-9a-f]+$/.test(sig)) {
          throw new FdError("DRAND_SIGNATURE_FORMAT", "drand " + chain.name + " 的签名应为 " + chain.signature_bytes * 2 + " 位十六进制（" + chain.signature_bytes + " 字节）");
        }
        if (sig !== ev.signature) throw new Malformed("DRAND_SIGNATURE_FORMAT", where + "：签名应为小写十六进制");
        if (hex(await sha256(fromHex(ev.signature))) !== values[i]) {
          throw new FdError("DRAND_RANDOMNESS", where + "：公开随机值不等于该签名的 SHA-256（drand 的 randomness 就是签名的 SHA-256），随机值或签名有误", { position: i });
        }
      } else if (ev !== null) {
        throw new Malformed("PUBLIC_EVIDENCE", "第 " + (i + 1) + " 个公开随机源不是 drand，public_evidence 应为 null");
      }
    }
    return evidence.slice();
  }

  // ---------------------------------------------------------------- commitment log (spec §14)
  var LOG_KEYS = ["format", "seq", "draw_id", "commitment_hash", "logged_at", "prev", "hash"];
  var GENESIS = "0000000000000000000000000000000000000000000000000000000000000000";
  async function parseLog(data) {
    if (data.length && data[data.length - 1] !== 10) throw new Malformed("LOG_FORMAT", "承诺日志的每一行（包括最后一行）都必须以换行符 LF 结束");
    var lines = [], startAt = 0;
    for (var p = 0; p < data.length; p++) if (data[p] === 10) { lines.push(data.subarray(startAt, p)); startAt = p + 1; }
    var entries = [], prev = GENESIS, prevTime = null;
    for (var i = 0; i < lines.length; i++) {
      var e = loadJson(lines[i], "承诺日志第 " + (i + 1) + " 行");
      var sm3Entry = isObj(e) && "suite" in e;
      if (!sameKeys(e, sm3Entry ? LOG_KEYS.concat(["suite"]) : LOG_KEYS) || e.format !== "fairdraw-log/1" ||
          (sm3Entry && e.suite !== "sm3")) {
        throw new Malformed("LOG_FORMAT", "承诺日志第 " + (i + 1) + " 行不是 fairdraw-log/1 记录（字段应为 " + LOG_KEYS.join("、") + "）");
      }
      var want;
      try {
        if (!isInt(e.seq) || e.seq < 1 || e.seq > MAX_SAFE) throw new FdError("LOG_SEQ", "日志序号必须是正整数");
        checkHex64(e.prev, "日志前一条哈希 prev");
        checkHex64(e.commitment_hash, "承诺哈希 commitment_hash");
        checkText(e.draw_id, "抽查编号 draw_id");
        timestamp(e.logged_at);
        checkHex64(e.hash, "日志哈希 hash");
        want = hex(await SUITES[sm3Entry ? "sm3" : "sha256"].hash(lp([utf8("SRV1/log"), u64(e.seq), fromHex(e.prev), fromHex(e.commitment_hash), utf8(e.draw_id), utf8(e.logged_at)])));
      } catch (x) {
        if (x instanceof FdError) throw new Malformed("LOG_FORMAT", "承诺日志第 " + (i + 1) + " 行无效：" + x.message);
        throw x;
      }
      if (canonText(e) !== decodeUtf8(lines[i])) throw new Malformed("LOG_FORMAT", "承诺日志第 " + (i + 1) + " 行不是规范 JSON（§2.2）");
      var where = "log[" + i + "]";
      if (e.seq !== i + 1) throw new LogBreak(where + ".seq", "承诺日志第 " + (i + 1) + " 行的序号不连续", i + 1, e.seq);
      if (e.prev !== prev) throw new LogBreak(where + ".prev", "承诺日志第 " + (i + 1) + " 行没有接在上一行之后（哈希链断开）", prev, e.prev);
      if (e.hash !== want) throw new LogBreak(where + ".hash", "承诺日志第 " + (i + 1) + " 行的哈希与内容不符（记录被改动）", want, e.hash);
      var t = timestamp(e.logged_at);
      if (prevTime !== null && t < prevTime) {
        throw new LogBreak(where + ".logged_at", "承诺日志第 " + (i + 1) + " 行的时间早于上一行", "≥ " + entries[entries.length - 1].logged_at, e.logged_at);
      }
      entries.push(e); prev = e.hash; prevTime = t;
    }
    return entries;
  }
  function checkInclusion(entries, commitment, chash) {
    var i = entries.findIndex(function (e) { return e.commitment_hash === chash; });
    if (i < 0) throw new LogBreak("log", "承诺哈希不在承诺日志中：该承诺没有事先公示", chash, "(日志中没有)");
    var e = entries[i];
    if (e.draw_id !== commitment.draw_id) throw new LogBreak("log[" + i + "].draw_id", "承诺日志中该承诺哈希登记的抽查编号不同", commitment.draw_id, e.draw_id);
    var entrySuite = "suite" in e ? e.suite : "sha256";
    if (entrySuite !== commitment.hash) {
      throw new LogBreak("log[" + i + "].suite", "承诺日志中该承诺的记录使用的哈希算法与承诺记录不同", commitment.hash, entrySuite);
    }
    var logged = timestamp(e.logged_at), notes = [];
    var times = commitment.public_sources.map(function (s) {
      if (s.kind === "drand") { var c = chainOf(s); var sec = c.genesis + (s.round - 1) * c.period; return [sec, isoUtc(sec)]; }
      if (typeof s.available_at === "string") return [timestamp(s.available_at), s.available_at];
      return null;
    });
    commitment.public_sources.forEach(function (s, j) {
      var t = times[j];
      if (t === null) {
        notes.push("第 " + (j + 1) + " 个公开随机源（" + s.kind + "）的产生时间未写入承诺记录，无法由程序核对承诺入日志是否早于它，请对照抽取记录人工核对");
      } else if (!(logged < t[0])) {
        throw new LogBreak("log[" + i + "].logged_at", "承诺进入日志的时间不早于第 " + (j + 1) + " 个公开随机值的产生时间：承诺可能是在随机值已知后才生成的",
          "< " + t[1], e.logged_at);
      }
    });
    return { entry: e, size: entries.length, head: entries[entries.length - 1].hash, notes: notes };
  }

  // ---------------------------------------------------------------- the manifest comparison (spec §10 step 6)
  function typeOf(v) {
    if (v === null) return "null";
    if (Array.isArray(v)) return "list";
    if (typeof v === "number" || typeof v === "bigint") return "int";
    return typeof v;
  }
  function firstDifference(a, b, path) {
    path = path || "";
    if (isObj(a) && isObj(b)) {
      var keys = uniqSorted(Object.keys(a).concat(Object.keys(b)));
      for (var j = 0; j < keys.length; j++) {
        var k = keys[j], p = path ? path + "." + k : k;
        if (!(k in a) || !(k in b)) return [p, k in a ? a[k] : "<缺失>", k in b ? b[k] : "<缺失>"];
        var d = firstDifference(a[k], b[k], p);
        if (d) return d;
      }
      return null;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
      for (var i = 0; i < Math.min(a.length, b.length); i++) {
        var di = firstDifference(a[i], b[i], path + "[" + i + "]");
        if (di) return di;
      }
      if (a.length !== b.length) return [path + ".length", a.length, b.length];
      return null;
    }
    if (typeOf(a) !== typeOf(b) || show(a) !== show(b)) return [path, a, b];
    return null;
  }
  var EXPLAIN = {
    public_values: "公开随机值不一致",
    public_evidence: "公开随机值的证明（drand 签名）不一致",
    seed: "由承诺哈希和公开随机值推导出的随机种子不一致",
    allocation: "各分层抽取数量的计算结果不一致",
    selection: "抽中对象、阈值或候补顺序与重新计算的结果不一致",
    excluded: "排除对象名单与号池快照不一致",
    roster_digest: "执法人员名录摘要不一致",
    assignment: "执法人员选派结果与重新计算的结果不一致",
    roster: "嵌入的执法人员名录不一致",
    conflicts: "公开的回避声明与重新计算应公开的不一致（有声明被隐瞒，或公开了与抽中对象无关的声明）"
  };
  var MANIFEST_KEYS = ["format", "commitment", "commitment_hash", "public_values", "public_evidence", "seed", "allocation",
    "selection", "excluded", "roster_digest", "assignment", "roster"];
  var FORMATS = ["fairdraw-manifest/4", "fairdraw-manifest/3", "fairdraw-manifest/2", "fairdraw-manifest/1"];
  // Format 4 = 3 + the revealed 回避 pairs, compared before the assignment they change.
  var MANIFEST_KEYS_V4 = MANIFEST_KEYS.slice(0, MANIFEST_KEYS.indexOf("assignment")).concat(["conflicts", "assignment", "roster"]);

  // ---------------------------------------------------------------- the verifier (spec §10)
  async function verify(manifestIn, poolBytes, rosterIn, opts) {
    opts = opts || {};
    var notes = [], used = {}, m = null, commitment = null, keys, legacy, skipped, out;
    function report(status, fields) {
      var r = { status: status, path: null, message: "", expected: null, actual: null, notes: [], code: "",
        commitment_hash: "", hash_suite: "", public_values: [], seed: "", log_entry: 0, log_size: 0, log_head: "" };
      if (status !== "MALFORMED") { Object.keys(used).forEach(function (k) { r[k] = used[k]; }); }
      Object.keys(fields).forEach(function (k) { r[k] = fields[k]; });
      return r;
    }
    function different(path, message, expected, actual) {
      return report("DIFFERENT", { path: path, message: message, expected: expected, actual: actual });
    }
    try {
      m = (manifestIn instanceof Uint8Array) ? loadJson(manifestIn, "manifest") : manifestIn;
      if (!isObj(m) || FORMATS.indexOf(m.format) < 0) {
        throw new Malformed("MANIFEST_FORMAT", "manifest 的 format 应为 fairdraw-manifest/3（或旧格式 /2、/1）");
      }
      legacy = m.format === "fairdraw-manifest/1";
      keys = legacy ? MANIFEST_KEYS.filter(function (k) { return k !== "public_evidence"; }) :
        (m.format === "fairdraw-manifest/4" ? MANIFEST_KEYS_V4 : MANIFEST_KEYS);
      if (!sameKeys(m, keys)) throw new Malformed("MANIFEST_KEYS", "manifest 字段应为 " + keys.join("、"));
      commitment = m.commitment;
      checkCommitment(commitment);
      var suite = SUITES[commitment.hash], H = suite.hash;
      if (!Array.isArray(m.public_values) || !m.public_values.every(function (v) { return typeof v === "string"; })) {
        throw new Malformed("MANIFEST_VALUES", "public_values 必须是字符串列表");
      }
      var ch = hex(await H(canonical(commitment)));
      used = { commitment_hash: ch, hash_suite: suite.name, public_values: m.public_values.slice() };
      if (opts.expectCommitment !== undefined && opts.expectCommitment !== null) {
        var expected = String(opts.expectCommitment).trim().toLowerCase();
        if (expected !== ch) {
          return different("commitment_hash", "manifest 中的承诺记录不是事先公布的那一份：其哈希与 --expect-commitment 给出的承诺哈希不同（可能是在公开随机值产生后另行生成的承诺）", expected, ch);
        }
      }
      // 1. The pool is the committed snapshot.
      var digest = hex(await H(poolBytes));
      if (digest !== commitment.pool_digest) {
        return different("commitment.pool_digest", "号池快照的 " + suite.label + " 与承诺记录不一致（不是承诺时的号池）", commitment.pool_digest, digest);
      }
      // 1b. The commitment log: chain, inclusion, time order.
      if (opts.log !== undefined && opts.log !== null) {
        try {
          var inc = checkInclusion(await parseLog(opts.log), commitment, ch);
          notes = notes.concat(inc.notes);
          used.log_entry = inc.entry.seq; used.log_size = inc.size; used.log_head = inc.head;
        } catch (b) {
          if (b instanceof LogBreak) return different(b.path, b.message, b.expected, b.actual);
          throw b;
        }
      }
      var rows = null;
      if ("pool_merkle_root" in commitment) {
        rows = parsePool(poolBytes, null);
        var mr = await merkleRoot(H, rows);
        if (mr !== commitment.pool_merkle_root) {
          return different("commitment.pool_merkle_root", "号池快照的默克尔根与承诺记录不一致", commitment.pool_merkle_root, mr);
        }
      }
      // 2. The commitment hash.
      if (m.commitment_hash !== ch) return different("commitment_hash", "承诺记录的哈希值与 manifest 记载的不一致", m.commitment_hash, ch);
      // 3. Roster.
      var roster = rosterIn;
      if ((roster === null || roster === undefined) && m.roster !== null) roster = m.roster;
      if (roster === undefined) roster = null;
      var needsRoster = commitment.plan.assignment !== null;
      if (needsRoster && roster === null && !opts.skipAssignment) {
        throw new Malformed("ROSTER_MISSING", "该抽查包含执法人员选派，请提供执法人员名录（或只验证对象抽取）");
      }
      skipped = needsRoster && roster === null;
      if (m.public_values.length !== commitment.public_sources.length) {
        throw new Malformed("PUBLIC_VALUES_COUNT", "公开随机值的个数与承诺记录中公布的随机源个数不一致");
      }
      // 4a. A witness's reveal must hash to the commitment it handed in before T0 (commit–reveal, spec §5.5):
      // SHA-256 in every hash suite, as the witness computed it.
      for (var w = 0; w < commitment.public_sources.length; w++) {
        var src = commitment.public_sources[w];
        if (src.kind === "witness" && typeof src.commitment === "string") {
          var secret = m.public_values[w];
          if (!wellFormed(secret)) throw new StructureError("UnicodeEncodeError: 第 " + (w + 1) + " 个公开随机值含有单独的代理项，无法按 UTF-8 编码");
          var revealed = hex(await sha256(utf8(secret)));
          if (revealed !== src.commitment) {
            var who = Object.prototype.hasOwnProperty.call(src, "name") ? pyStr(src.name) : "";
            return different("public_values[" + w + "]", "第 " + (w + 1) + " 个公开随机值（监督人 " + who + " 揭示的随机数）的 SHA-256" +
              "与其在承诺中交来的承诺哈希不一致：揭示的不是事先承诺的随机数", src.commitment, revealed);
          }
        }
      }
      // 4. Re-run (run_draw).
      var plan = parsePlan(commitment.plan);
      var inspectors = null, rosterDigest = null, rosterObj = null, rosterV2 = false;
      if (roster !== null) {
        if (!(roster instanceof Uint8Array) && !isObj(roster)) {
          // Python iterates it as a list of Inspector objects: only an empty list or text is a (empty) roster.
          if (!((Array.isArray(roster) || typeof roster === "string") && roster.length === 0)) {
            throw new StructureError("执法人员名录应为名录对象");
          }
          roster = { format: "fairdraw-roster/1", inspectors: [] };
        }
        rosterObj = (roster instanceof Uint8Array) ? loadJson(roster, "执法人员名录") : roster;
        rosterV2 = isObj(rosterObj) && rosterObj.format === "fairdraw-roster/2";
        inspectors = parseRoster(rosterObj);
        if (!rosterV2) rosterObj = { format: "fairdraw-roster/1", inspectors: inspectors };
      }
      var usesV2 = rosterV2 && plan.assignment !== null && !skipped;
      if (usesV2 !== (m.format === "fairdraw-manifest/4") && !skipped && plan.assignment !== null) {
        throw new Malformed("ROSTER_FORMAT", "fairdraw-manifest/4 须配合 fairdraw-roster/2 名录使用，其他格式的 manifest 须配合 fairdraw-roster/1 名录");
      }
      if (rosterObj !== null) {
        rosterDigest = hex(await H(canonical(rosterObj)));
        if (commitment.roster_digest !== null && rosterDigest !== commitment.roster_digest) {
          throw new FdError("ROSTER_DIGEST", "执法人员名录的 " + suite.label + " 与承诺记录中的 roster_digest 不一致");
        }
      }
      var evidence = legacy ? null : await checkEvidence(H, commitment.public_sources, m.public_values, m.public_evidence);
      var seed = await deriveSeed(H, ch, m.public_values);
      var rng = makeRng(H, seed);
      var allocation = await allocate(H, rng, seed, commitment.strata, plan);
      var sel = await select(H, rng, seed, parsePool(poolBytes, allocation), allocation, plan);
      var assignment = null, embed = m.roster !== null, revealed = null;
      if (plan.assignment === null || skipped) { rosterDigest = null; embed = false; }
      else {
        if (usesV2) {
          var key = opts.conflictKey !== undefined && opts.conflictKey !== null ? opts.conflictKey : m.conflicts;
          var opened = await openConflicts(H, rosterObj, rosterDigest, key);
          inspectors = opened.inspectors;
          var drawn = new Set();
          Object.keys(sel.selection).forEach(function (h) {
            sel.selection[h].selected.concat(sel.selection[h].substitutes).forEach(function (u) { drawn.add(u); });
          });
          revealed = opened.pairs.filter(function (p) { return drawn.has(p.unit_id); });
        }
        var targets = [];
        Object.keys(sel.selection).forEach(function (h) { sel.selection[h].selected.forEach(function (u) { targets.push(sel.units[u]); }); });
        targets.sort(function (a, b) { return cmpStr(a.unit_id, b.unit_id); });
        assignment = await assignInspectors(H, seed, targets, inspectors, plan.assignment, m.format);
      }
      out = { format: m.format, commitment: commitment, commitment_hash: ch, public_values: m.public_values.slice(),
        public_evidence: evidence === null ? m.public_values.map(function () { return null; }) : evidence,
        seed: hex(seed), allocation: allocation, selection: sel.selection, excluded: sel.excluded,
        roster_digest: rosterDigest, assignment: assignment,
        roster: embed ? (m.format === "fairdraw-manifest/4" ? rosterObj : { format: "fairdraw-roster/1", inspectors: parseRoster(rosterObj) }) : null };
      if (m.format === "fairdraw-manifest/4") out.conflicts = revealed || [];
      used.seed = out.seed;
    } catch (e) {
      if (e instanceof Malformed) return report("MALFORMED", { message: "[" + e.code + "] " + e.message, code: e.code });
      if (e instanceof FdError) {
        if (e.code === "ROSTER_DIGEST") return different("roster_digest", e.message, commitment.roster_digest, "(提供的名录)");
        if (e.code === "CONFLICT_NOT_COMMITTED") {
          var where = opts.conflictKey !== undefined && opts.conflictKey !== null ? "conflict_key" : "conflicts[" + (e.detail.position || 0) + "]";
          return different(where, e.message, "(名录中承诺的回避声明)", "(未承诺的声明)");
        }
        if (e.code === "POOL_MISMATCH") return different("commitment.strata", e.message, "(承诺记录)", "(号池快照)");
        if (e.code.indexOf("DRAND_") === 0) {
          var pos = e.detail.position || 0;
          return different("public_evidence[" + pos + "]", e.message, m.public_evidence[pos], "(与承诺记录或随机值不符)");
        }
        return report("MALFORMED", { message: "[" + e.code + "] " + e.message, code: e.code });
      }
      if (e instanceof StructureError || e instanceof TypeError) {
        return report("MALFORMED", { message: "manifest 或承诺记录结构无效：" + e.message, code: "STRUCTURE_INVALID" });
      }
      throw e;
    }
    for (var j = 0; j < keys.length; j++) {
      var key = keys[j];
      if (skipped && (key === "roster_digest" || key === "assignment" || key === "roster" || key === "conflicts")) continue;
      var d = firstDifference(m[key], out[key], key);
      if (d) return different(d[0], EXPLAIN[key] || "记录值与重新计算的结果不一致", d[1], d[2]);
    }
    // 5. drand signatures (the slow part, last), as verifier.py: the BLS pairing check of each round.
    var drandAt = [];
    commitment.public_sources.forEach(function (s, i) { if (isObj(s) && s.kind === "drand") drandAt.push(i); });
    var checked = 0, bls = root.FairdrawBLS;
    if (legacy && drandAt.length) notes.push("旧格式 manifest（fairdraw-manifest/1）没有记录 drand 签名，drand 随机值须另行到 drand 网络核对");
    else if (drandAt.length && opts.checkSignatures === false) notes.push("未验证 drand BLS 签名（调用方要求跳过）；randomness = SHA-256(签名) 已验证");
    else if (drandAt.length && !bls) notes.push("浏览器核验未验证 drand BLS 签名；randomness = SHA-256(签名)、轮次和网络均已验证（BLS 签名可用本页提供的 Python 验证程序核对）");
    else {
      for (var di = 0; di < drandAt.length; di++) {
        var at = drandAt[di], ev = m.public_evidence[at], chain = chainOf(commitment.public_sources[at]);
        if (!(await bls.verifyQuicknet(ev.round, ev.signature, chain.public_key))) {
          return different("public_evidence[" + at + "].signature", "第 " + (at + 1) + " 个公开随机源：该签名不是 drand " + chain.name +
            " 网络对第 " + ev.round + " 轮的有效签名（用该网络公钥做 BLS 验证未通过），随机值不可信", ev.signature, "(BLS 验证未通过)");
        }
        checked++;
      }
    }
    var nSel = 0;
    Object.keys(out.selection).forEach(function (h) { nSel += out.selection[h].selected.length; });
    return report("VERIFIED", {
      message: "抽查 " + commitment.draw_id + "：" + Object.keys(out.selection).length + " 个分层，抽中 " + nSel + " 个对象，种子 " + out.seed +
        (skipped ? "（未验证执法人员选派）" : "") + (checked ? "；drand 签名 " + checked + " 个已用 BLS 验证" : ""),
      notes: notes
    });
  }

  // The hash of a downloaded commitment record file (its canonical JSON, with the suite it names).
  function commitmentFileHash(bytes) {
    return Promise.resolve().then(function () {
      var c = loadJson(bytes, "承诺记录");
      var suite = (isObj(c) && suiteOf(c.hash)) || SUITES.sha256;
      return suite.hash(canonical(c)).then(hex);
    });
  }

  root.FairdrawVerify = {
    verify: verify,
    commitmentFileHash: commitmentFileHash,
    loadJson: loadJson,
    canonicalText: canonText,
    show: show,
    suites: SUITES,
    sm3: function (bytes) { return hex(sm3(bytes)); },
    hex: hex,
    utf8: utf8
  };
})(typeof window !== "undefined" ? window : globalThis);
