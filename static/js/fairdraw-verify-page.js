/* 验证页 "在本浏览器中核验": download the draw's public files (same origin, allowed by CSP connect-src 'self'),
   then run the whole verification here with fairdraw-verify.js.  After the downloads nothing is sent to or
   asked from the server: the verdict is computed by this browser alone.  No inline script on the page. */
(function () {
  "use strict";
  var box = document.getElementById("browser-verify");
  if (!box) { return; }
  var button = document.getElementById("browser-verify-run");
  var out = document.getElementById("browser-verify-result");
  var steps = document.getElementById("browser-verify-steps");

  function text(el, s) { el.textContent = s; return el; }
  function el(tag, cls, s) { var e = document.createElement(tag); if (cls) { e.className = cls; } if (s !== undefined) { e.textContent = s; } return e; }
  function step(s) { steps.appendChild(el("li", "", s)); }
  function short(v) {
    var s = window.FairdrawVerify.show(v);
    return s.length > 300 ? s.slice(0, 300) + "…" : s;
  }
  function fetchBytes(url, what) {
    if (!url) { return Promise.resolve(null); }
    return fetch(url, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (!r.ok) { var err = new Error(); err.zh = "无法下载" + what + "（状态码 " + r.status + "）"; throw err; }
      return r.arrayBuffer();
    }).then(function (b) { step("已下载" + what + "（" + b.byteLength + " 字节）"); return new Uint8Array(b); });
  }
  // Oversight's conflict key, read from a local file (never uploaded).
  function readKey() {
    var input = document.getElementById("browser-verify-key");
    if (!input || !input.files || !input.files.length) { return Promise.resolve(null); }
    return input.files[0].arrayBuffer().then(function (b) { step("已读取本机的回避声明密钥（未上传）"); return new Uint8Array(b); });
  }
  function row(table, head, value, hint) {
    var tr = el("tr"), th = el("th", "w-25", head), td = el("td");
    td.appendChild(el("span", "hash", value));
    if (hint) { td.appendChild(el("div", "small text-muted", hint)); }
    tr.appendChild(th); tr.appendChild(td); table.appendChild(tr);
  }
  function show(report, commitmentFileHash) {
    out.textContent = "";
    var ok = report.status === "VERIFIED";
    var verdict = el("div", ok ? "gs-verified" : "gs-failed");
    verdict.id = "browser-verdict";
    verdict.setAttribute("role", ok ? "status" : "alert");
    verdict.setAttribute("data-status", report.status);
    if (report.path) { verdict.setAttribute("data-path", report.path); }
    if (report.code) { verdict.setAttribute("data-code", report.code); }
    if (ok) {
      verdict.appendChild(el("div", "", "✔ 核验通过：" + report.message));
      report.notes.forEach(function (n) { verdict.appendChild(el("div", "fw-normal", "注意：" + n)); });
    } else if (report.status === "DIFFERENT") {
      verdict.appendChild(el("div", "", "✘ 核验未通过：结果与重新计算的不一致"));
      var first = el("div", "fw-normal", "第一处不一致：");
      first.appendChild(el("code", "", report.path));
      first.appendChild(document.createTextNode("。" + report.message));
      verdict.appendChild(first);
      verdict.appendChild(el("div", "fw-normal hash", "公布的值：" + short(report.expected)));
      verdict.appendChild(el("div", "fw-normal hash", "重新计算的值：" + short(report.actual)));
    } else {
      verdict.appendChild(el("div", "", "✘ 核验未通过：文件格式错误"));
      verdict.appendChild(el("div", "fw-normal", report.message.replace(/^\[[A-Z0-9_]+\]\s*/, "")));
    }
    out.appendChild(verdict);
    if (report.commitment_hash) {
      var table = el("table", "table table-bordered table-sm mt-2");
      table.id = "browser-verify-inputs";
      row(table, "哈希算法", report.hash_suite === "sm3" ? "SM3（国密算法，GB/T 32905-2016）" : "SHA-256",
        "承诺记录指定的哈希算法，以下各项指纹均用它计算");
      row(table, "承诺哈希", report.commitment_hash, "由承诺记录重新计算的指纹，应与抽取前公布的承诺哈希相同");
      if (commitmentFileHash) {
        row(table, "承诺记录文件的哈希", commitmentFileHash,
          commitmentFileHash === report.commitment_hash ? "与清单中的承诺记录相同" : "与清单中的承诺记录不同，请核查");
      }
      report.public_values.forEach(function (v, i) { row(table, "公开随机值 " + (i + 1), v, ""); });
      if (report.seed) { row(table, "随机种子", report.seed, "由承诺哈希和公开随机值按规范推导"); }
      if (report.log_entry) {
        row(table, "承诺公示日志", "第 " + report.log_entry + " 条（共 " + report.log_size + " 条）",
          "链尾 " + report.log_head + "：可与此前公布的链尾对照");
      }
      out.appendChild(table);
    }
  }

  button.addEventListener("click", function () {
    if (!window.crypto || !window.crypto.subtle || typeof BigInt === "undefined") {
      text(out, "本浏览器不支持所需的加密接口，请使用较新版本的浏览器，或下载本页的验证程序在电脑上核验。");
      return;
    }
    if (typeof window.gsStopReload === "function") { window.gsStopReload(); }
    button.disabled = true;
    out.textContent = "";
    steps.textContent = "";
    text(out, "正在下载文件并在本浏览器中重新计算……");
    var d = box.dataset;
    // One file after another: a visitor's downloads never compete with each other on the server.
    var wanted = [[d.manifestUrl, "抽取结果清单"], [d.poolUrl, "号池快照"], [d.rosterUrl, "执法人员名录"],
      [d.commitmentUrl, "承诺记录"], [d.logUrl, "承诺公示日志"]];
    var got = [];
    wanted.reduce(function (previous, w) {
      return previous.then(function () { return fetchBytes(w[0], w[1]).then(function (b) { got.push(b); }); });
    }, Promise.resolve()).then(readKey).then(function (key) {
      got.push(key);
      return got;
    }).then(function (files) {
      step("下载完毕，以下计算全部在本浏览器中进行，不再访问服务器");
      var commitmentHash = null;
      var pending = Promise.resolve();
      if (files[3]) {
        pending = window.FairdrawVerify.commitmentFileHash(files[3]).then(function (h) { commitmentHash = h; }, function () { commitmentHash = "（承诺记录文件无法解析）"; });
      }
      return pending.then(function () {
        return window.FairdrawVerify.verify(files[0], files[1], files[2], { expectCommitment: d.commitmentHash || null, log: files[4], conflictKey: files[5] });
      }).then(function (report) { show(report, commitmentHash); });
    }).catch(function (e) {
      text(out, "核验未能完成：" + (e && e.zh ? e.zh : "文件下载失败或浏览器计算出错，请刷新后重试，或下载本页的验证程序在电脑上核验。"));
    }).then(function () { button.disabled = false; });
  });
})();
