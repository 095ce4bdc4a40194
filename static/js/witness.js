/* 监督人随机数: SHA-256 of the witness's secret computed in the browser, so that only the hash (the commitment)
   leaves the device before the draw's commitment is published. Pure JavaScript (FIPS 180-4): crypto.subtle is
   missing on plain-HTTP intranets. The secret is kept in this browser's localStorage to prefill the reveal. */
(function () {
  "use strict";
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ];

  function sha256hex(text) {
    var bytes = new TextEncoder().encode(text.normalize("NFC"));
    var bitLen = bytes.length * 8;
    var n = ((bytes.length + 9 + 63) >> 6) << 6;
    var m = new Uint8Array(n);
    m.set(bytes);
    m[bytes.length] = 0x80;
    var view = new DataView(m.buffer);
    view.setUint32(n - 4, bitLen >>> 0);
    view.setUint32(n - 8, Math.floor(bitLen / 4294967296));
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var w = new Array(64);
    for (var off = 0; off < n; off += 64) {
      for (var i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
      for (i = 16; i < 64; i++) {
        var a0 = w[i - 15], a1 = w[i - 2];
        var s0 = ((a0 >>> 7) | (a0 << 25)) ^ ((a0 >>> 18) | (a0 << 14)) ^ (a0 >>> 3);
        var s1 = ((a1 >>> 17) | (a1 << 15)) ^ ((a1 >>> 19) | (a1 << 13)) ^ (a1 >>> 10);
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
      for (i = 0; i < 64; i++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (hh + S1 + ch + K[i] + w[i]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & b) ^ (a & c) ^ (b & c);
        var t2 = (S0 + maj) | 0;
        hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
      h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
    }
    return h.map(function (x) { return ("00000000" + (x >>> 0).toString(16)).slice(-8); }).join("");
  }

  function randomSecret() {
    var digits = new Uint32Array(4);
    crypto.getRandomValues(digits);  // available without HTTPS
    return Array.prototype.map.call(digits, function (x) { return ("0000" + (x % 10000)).slice(-4); }).join(" ");
  }

  window.witnessSha256 = sha256hex;

  document.querySelectorAll("[data-witness-secret]").forEach(function (input) {
    var key = input.getAttribute("data-witness-secret");
    var target = document.getElementById(input.getAttribute("data-hash-target") || "");
    var generate = document.querySelector("[data-generate-for='" + input.id + "']");
    function update() {
      if (target) target.value = input.value.trim() ? sha256hex(input.value.trim()) : "";
      if (key && input.value.trim()) {
        try { localStorage.setItem(key, input.value.trim()); } catch (err) { /* private mode: nothing kept */ }
      }
    }
    if (!input.value && key && input.hasAttribute("data-prefill")) {
      try { input.value = localStorage.getItem(key) || ""; } catch (err) { /* nothing kept */ }
    }
    input.addEventListener("input", update);
    input.addEventListener("change", update);
    if (input.value.trim()) update();  // typed before this script ran (slow network), or kept by the browser
    if (generate) {
      generate.addEventListener("click", function () { input.value = randomSecret(); update(); });
    }
  });
})();
