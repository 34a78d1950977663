// Chengxin pages: small helpers only (no framework). Forms call the JSON API with the
// session's CSRF token (from <meta name="csrf-token">) and show the answer in place.
"use strict";

const cx = {
  csrf() {
    const m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.content : "";
  },
  async api(method, url, body, headers) {
    const h = Object.assign({}, headers || {});
    const token = cx.csrf();
    if (token) h["X-CSRF-Token"] = token;
    let payload = body;
    if (body !== undefined && !(body instanceof Blob) && !(body instanceof ArrayBuffer)
        && typeof body !== "string") {
      h["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const resp = await fetch(url, { method, headers: h, body: payload, credentials: "same-origin" });
    let data = null;
    const type = resp.headers.get("content-type") || "";
    if (type.includes("application/json")) data = await resp.json();
    else data = await resp.text();
    return { ok: resp.ok, status: resp.status, data };
  },
  message(el, kind, text) {
    el.className = "notice " + kind;
    el.textContent = text;
    el.hidden = false;
    el.setAttribute("role", kind === "err" ? "alert" : "status");
    // The stable code of the last API error stays on the element for support (data-code and
    // the tooltip), never in the sentence a clerk reads.
    const code = kind === "err" ? cx.lastCode : "";
    cx.lastCode = "";
    if (code) { el.dataset.code = code; el.title = "错误代码：" + code; }
    else { delete el.dataset.code; el.removeAttribute("title"); }
  },
  lastCode: "",
  error(data) {
    if (data && typeof data === "object" && data.message) {
      cx.lastCode = typeof data.code === "string" ? data.code : "";
      return data.message;
    }
    return "请求失败";
  },
  // Upload a file with progress (XMLHttpRequest: fetch has no upload progress).
  upload(url, file, onProgress) {
    return new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", url);
      const token = cx.csrf();
      if (token) xhr.setRequestHeader("X-CSRF-Token", token);
      xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(e.loaded, e.total); };
      xhr.onload = () => {
        let data = xhr.responseText;
        try { data = JSON.parse(xhr.responseText); } catch (_) { /* text */ }
        resolve({ ok: xhr.status >= 200 && xhr.status < 300, status: xhr.status, data });
      };
      xhr.onerror = () => resolve({ ok: false, status: 0, data: { code: "network", message: "网络错误，上传未完成" } });
      xhr.send(file);
    });
  },
};
window.cx = cx;

// Staff tables as cards on phones: the server labels every cell of a console page with its
// column's header (pages/cards.rs); cells added later by script get theirs here (CSS shows
// the label before the value at narrow widths); cells that carry their own data-label keep it.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("body.console .table-wrap table").forEach((table) => {
    const heads = Array.from(table.querySelectorAll("thead tr:first-child th")).map((th) => th.textContent.trim());
    if (!heads.length) return;
    table.querySelectorAll("tbody tr").forEach((tr) => {
      Array.from(tr.children).forEach((cell, i) => {
        if (!cell.hasAttribute("data-label") && heads[i]) cell.setAttribute("data-label", heads[i]);
      });
    });
  });
});

// Body pickers (pages/console/pickers.rs): an input joined to a <datalist> whose options carry
// a code as their value and a name as their label. A name typed in full (not picked from the
// list) becomes its code, so the form always sends the code; an unknown text stays as typed
// and the server answers it in Chinese.
document.addEventListener("change", (e) => {
  const input = e.target;
  if (!(input instanceof HTMLInputElement) || !input.list) return;
  const typed = input.value.trim();
  if (!typed) return;
  for (const o of input.list.options) {
    if (o.label === typed || o.textContent.trim() === typed) { input.value = o.value; return; }
  }
});
