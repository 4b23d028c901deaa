// The entry grid: keyboard moves (arrows, Enter, Tab), pasting a column (or a block) from
// Excel, immediate validation, autosave through the JSON API, and conflicts shown per cell.
// Without this script the grid is a plain form that saves with its button.
(function () {
  "use strict";
  var form = document.getElementById("grid");
  if (!form || form.dataset.editable !== "true") return;
  var api = form.dataset.api;
  var csrf = form.dataset.csrf;
  var status = document.getElementById("grid-status");
  var cells = Array.prototype.slice.call(form.querySelectorAll("input.cell"));
  var rows = Array.prototype.slice.call(form.querySelectorAll("tbody tr"));
  var saving = false;
  var again = false;
  var timer = null;

  // What each kind accepts (the server checks the same, see domain::gradebook::ValueKind).
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d")
      .toLowerCase().replace(/[\s._-]/g, "");
  }
  var WORDS = {
    comment: { d: "dat", dat: "dat", cd: "chua_dat", chuadat: "chua_dat" },
    rating: { htt: "htt", hoanthanhtot: "htt", ht: "ht", hoanthanh: "ht", cht: "cht", chuahoanthanh: "cht" },
    trait: { t: "tot", tot: "tot", d: "dat", dat: "dat", ccg: "can_co_gang", cancogang: "can_co_gang" },
    conduct: { t: "tot", tot: "tot", k: "kha", kha: "kha", d: "dat", dat: "dat", cd: "chua_dat", chuadat: "chua_dat" }
  };
  var SHOW = {
    comment: { dat: "Đ", chua_dat: "CĐ" },
    rating: { htt: "HTT", ht: "HT", cht: "CHT" },
    trait: { tot: "T", dat: "Đ", can_co_gang: "CCG" },
    conduct: { tot: "T", kha: "K", dat: "Đ", chua_dat: "CĐ" }
  };
  var HELP = {
    score: "Điểm từ 0 đến 10, tối đa một chữ số thập phân (ví dụ 7,5)",
    test: "Điểm kiểm tra là số nguyên từ 1 đến 10",
    count: "Số buổi là số nguyên từ 0 đến 200",
    comment: "Nhập Đ (Đạt) hoặc CĐ (Chưa đạt)",
    rating: "Nhập HTT, HT hoặc CHT",
    trait: "Nhập T, Đ hoặc CCG",
    conduct: "Nhập T, K, Đ hoặc CĐ"
  };
  function valid(kind, raw) {
    var v = raw.trim();
    if (v === "") return true;
    if (kind === "score") return /^(10([.,]0)?|\d([.,]\d)?)$/.test(v);
    if (kind === "test") return /^(10|[1-9])$/.test(v);
    if (kind === "count") return /^\d{1,3}$/.test(v) && Number(v) <= 200;
    if (WORDS[kind]) return WORDS[kind].hasOwnProperty(fold(v));
    return v.length <= 500;
  }
  function shown(kind, stored) {
    if (stored == null) return "";
    return (SHOW[kind] && SHOW[kind][stored]) || stored;
  }
  function check(input) {
    var ok = valid(input.dataset.kind, input.value);
    input.classList.toggle("invalid", !ok);
    input.setAttribute("aria-invalid", ok ? "false" : "true");
    input.title = ok ? "" : HELP[input.dataset.kind] || "";
    return ok;
  }
  function say(text) { status.textContent = text; }

  function markDirty(input) {
    if (input.value.trim() === shown(input.dataset.kind, input.dataset.base).trim()) {
      input.classList.remove("dirty");
    } else {
      input.classList.add("dirty");
      input.classList.remove("saved");
    }
    check(input);
  }
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(save, 700);
  }

  // Position helpers: a cell's row and column in the grid.
  function at(r, c) {
    var row = rows[r];
    if (!row) return null;
    return row.querySelectorAll("input.cell")[c] || null;
  }
  function where(input) {
    var row = input.closest("tr");
    var r = rows.indexOf(row);
    var c = Array.prototype.indexOf.call(row.querySelectorAll("input.cell"), input);
    return [r, c];
  }
  function go(input, dr, dc) {
    var p = where(input);
    var next = at(p[0] + dr, p[1] + dc);
    if (next) { next.focus(); next.select(); }
  }

  form.addEventListener("keydown", function (e) {
    var input = e.target;
    if (!input.classList || !input.classList.contains("cell")) return;
    var text = input.dataset.kind === "text";
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    var whole = input.selectionStart === 0 && input.selectionEnd === input.value.length;
    if (e.key === "Enter") { e.preventDefault(); go(input, e.shiftKey ? -1 : 1, 0); }
    else if (e.key === "ArrowDown") { e.preventDefault(); go(input, 1, 0); }
    else if (e.key === "ArrowUp") { e.preventDefault(); go(input, -1, 0); }
    else if (e.key === "ArrowRight" && (!text || atEnd || whole)) { e.preventDefault(); go(input, 0, 1); }
    else if (e.key === "ArrowLeft" && (!text || atStart || whole)) { e.preventDefault(); go(input, 0, -1); }
    else if (e.key === "Escape") {
      input.value = shown(input.dataset.kind, input.dataset.base);
      markDirty(input);
    }
  });
  form.addEventListener("focusin", function (e) {
    if (e.target.classList && e.target.classList.contains("cell")) e.target.select();
  });
  form.addEventListener("input", function (e) {
    if (!e.target.classList.contains("cell")) return;
    markDirty(e.target);
    schedule();
  });
  form.addEventListener("focusout", function (e) {
    if (e.target.classList && e.target.classList.contains("dirty")) schedule();
  });

  // A column (or a block) pasted from a spreadsheet fills down (and right) from the cell.
  form.addEventListener("paste", function (e) {
    var input = e.target;
    if (!input.classList || !input.classList.contains("cell")) return;
    var data = (e.clipboardData || window.clipboardData).getData("text");
    if (!/[\t\n]/.test(data.replace(/\r?\n$/, ""))) return;
    e.preventDefault();
    var lines = data.replace(/\r/g, "").replace(/\n$/, "").split("\n");
    var p = where(input);
    var filled = 0;
    lines.forEach(function (line, i) {
      line.split("\t").forEach(function (value, j) {
        var target = at(p[0] + i, p[1] + j);
        if (!target || target.readOnly) return;
        target.value = value.trim();
        markDirty(target);
        filled++;
      });
    });
    say("Đã dán " + filled + " ô.");
    schedule();
  });

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    clearTimeout(timer);
    save();
  });
  window.addEventListener("beforeunload", function (e) {
    if (form.querySelector("input.cell.dirty")) { e.preventDefault(); e.returnValue = ""; }
  });

  function cellKey(learner, slot) { return learner + "." + slot; }
  function inputFor(learner, slot) {
    return form.querySelector('tr[data-learner="' + learner + '"] input.cell[data-slot="' + slot + '"]');
  }

  function save() {
    if (saving) { again = true; return; }
    var dirty = cells.filter(function (c) { return c.classList.contains("dirty") && check(c); });
    if (!dirty.length) {
      if (form.querySelector("input.cell.invalid")) say("Có ô chưa hợp lệ (viền đỏ): sửa lại để lưu.");
      return;
    }
    var sent = {};
    var body = { cells: dirty.map(function (c) {
      var learner = Number(c.closest("tr").dataset.learner);
      sent[cellKey(learner, c.dataset.slot)] = c.value;
      return { learner_id: learner, slot: c.dataset.slot,
               base: c.dataset.base === "" ? null : c.dataset.base, value: c.value };
    }) };
    saving = true;
    say("Đang lưu…");
    fetch(api, {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrf, "accept": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (json) { return [res, json]; });
    }).then(function (pair) {
      var res = pair[0], json = pair[1];
      if (res.ok) applied(json, sent);
      else failed(res.status, json, dirty);
    }).catch(function () {
      say("Mất kết nối: chưa lưu được. Điểm vẫn còn trên trang, sẽ thử lại khi bạn sửa tiếp hoặc bấm Lưu.");
    }).then(function () {
      saving = false;
      if (again) { again = false; save(); }
    });
  }

  function applied(report, sent) {
    var conflicts = 0;
    (report.cells || []).forEach(function (c) {
      var input = inputFor(c.learner_id, c.slot);
      if (!input) return;
      var td = input.closest("td");
      var stillMine = input.value === sent[cellKey(c.learner_id, c.slot)];
      if (c.status === "saved" || c.status === "unchanged") {
        input.dataset.base = c.value == null ? "" : c.value;
        var hidden = form.querySelector('input[name="b.' + c.learner_id + "." + c.slot + '"]');
        if (hidden) hidden.value = input.dataset.base;
        if (stillMine) {
          input.value = shown(input.dataset.kind, c.value);
          input.classList.remove("dirty");
          input.classList.add("saved");
        }
        td.classList.remove("conflict");
        var old = td.querySelector(".cell-note");
        if (old) old.remove();
      } else if (c.status === "conflict") {
        conflicts++;
        showConflict(input, c.current);
      }
    });
    Object.keys(report.results || {}).forEach(function (learner) {
      var cell = form.querySelector('tr[data-learner="' + learner + '"] [data-result]');
      if (cell) cell.textContent = report.results[learner] || "";
    });
    var time = new Date().toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });
    say(conflicts
      ? conflicts + " ô vừa được người khác sửa: xem các ô viền đỏ và chọn giá trị giữ lại."
      : "Đã lưu lúc " + time + ".");
  }

  function showConflict(input, current) {
    var td = input.closest("td");
    td.classList.add("conflict");
    var old = td.querySelector(".cell-note");
    if (old) old.remove();
    var note = document.createElement("span");
    note.className = "cell-note";
    note.textContent = "Người khác vừa sửa thành " + (shown(input.dataset.kind, current) || "(trống)") + ". ";
    var theirs = document.createElement("button");
    theirs.type = "button";
    theirs.className = "link-dark";
    theirs.textContent = "Dùng giá trị đó";
    theirs.addEventListener("click", function () {
      input.dataset.base = current == null ? "" : current;
      input.value = shown(input.dataset.kind, current);
      input.classList.remove("dirty");
      td.classList.remove("conflict");
      note.remove();
    });
    var mine = document.createElement("button");
    mine.type = "button";
    mine.className = "link-dark";
    mine.textContent = "Giữ của tôi";
    mine.addEventListener("click", function () {
      input.dataset.base = current == null ? "" : current;
      td.classList.remove("conflict");
      note.remove();
      markDirty(input);
      save();
    });
    note.appendChild(theirs);
    note.appendChild(document.createTextNode(" · "));
    note.appendChild(mine);
    td.appendChild(note);
  }

  function failed(code, problem, dirty) {
    var messages = (problem.errors || []).map(function (e) { return e.message; });
    (problem.errors || []).forEach(function (e) {
      var m = /^cells\[(\d+)\]$/.exec(e.field || "");
      if (m && dirty[Number(m[1])]) {
        dirty[Number(m[1])].classList.add("invalid");
        dirty[Number(m[1])].title = e.message;
      }
    });
    if (code === 409) say(messages[0] || problem.detail || "Học kì đã khoá sổ.");
    else if (code === 401) say("Phiên đăng nhập đã hết: đăng nhập lại ở thẻ khác rồi bấm Lưu; điểm vẫn còn trên trang.");
    else say((messages.length ? messages.join(" · ") : problem.detail) || "Không lưu được (lỗi " + code + ").");
  }
})();
