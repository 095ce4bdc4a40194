// Task form (抽查任务): steps and searchable pickers, both progressive enhancement over one long form.
// Without this script every step is shown in order and every option is a plain checkbox; nothing is lost.
(function () {
  "use strict";

  // --- steps: one fieldset at a time, the indicator and the 上一步/下一步 buttons switch between them ---------
  function setupSteps(form) {
    var steps = Array.prototype.slice.call(form.querySelectorAll("fieldset[data-step]"));
    if (steps.length < 2) { return; }
    var links = Array.prototype.slice.call(document.querySelectorAll("[data-step-link]"));
    form.classList.add("is-stepped");
    form.querySelectorAll("[data-step-nav]").forEach(function (nav) { nav.hidden = false; });

    function show(key, focus) {
      var found = steps.some(function (step) { return step.getAttribute("data-step") === key; });
      if (!found) { key = steps[0].getAttribute("data-step"); }
      steps.forEach(function (step) { step.hidden = step.getAttribute("data-step") !== key; });
      links.forEach(function (link) {
        if (!link.closest("#step-indicator")) { return; }
        if (link.getAttribute("data-step-link") === key) { link.setAttribute("aria-current", "step"); }
        else { link.removeAttribute("aria-current"); }
      });
      form.setAttribute("data-current-step", key);
      if (focus) {
        var current = form.querySelector('fieldset[data-step="' + key + '"]');
        var target = current.querySelector("[data-field-error]")
          ? current.querySelector("[data-field-error]").closest(".row").querySelector("input, select, textarea")
          : current.querySelector("legend");
        (target || current.querySelector("legend")).focus({ preventScroll: true });
        current.scrollIntoView({ block: "start" });
      }
    }

    document.addEventListener("click", function (event) {
      var link = event.target.closest("[data-step-link], [data-step-go]");
      if (!link || !form.contains(link) && !link.closest("#step-indicator")) { return; }
      event.preventDefault();
      show(link.getAttribute("data-step-link") || link.getAttribute("data-step-go"), true);
    });

    var wrong = form.querySelector("fieldset[data-step-errors]");
    var hash = window.location.hash.replace("#step-", "");
    if (wrong) { show(wrong.getAttribute("data-step"), true); }
    else { show(hash || steps[0].getAttribute("data-step"), false); }
  }

  // --- pickers: type to filter a checkbox list, the chosen ones as removable chips ---------------------------
  var pickerCount = 0;

  function setupPicker(box) {
    var list = box.firstElementChild;
    if (!list) { return; }
    pickerCount += 1;
    var label = box.getAttribute("data-picker-label") || "";
    var listId = list.id || "picker-list-" + pickerCount;
    list.id = listId;
    list.classList.add("app-picker-list");
    var rows = Array.prototype.slice.call(list.querySelectorAll("input[type=checkbox]")).map(function (input) {
      var row = input.closest("label") ? input.closest("label").parentElement : input.parentElement;
      return { input: input, row: row, text: (input.closest("label") || row).textContent.trim() };
    });

    var search = document.createElement("input");
    search.type = "search";
    search.className = "form-control app-picker-search";
    search.setAttribute("aria-label", "筛选" + label + "（输入文字，回车选中唯一匹配项）");
    search.setAttribute("aria-controls", listId);
    search.placeholder = "输入文字筛选" + label;
    search.autocomplete = "off";
    var chips = document.createElement("div");
    chips.className = "app-chips d-flex flex-wrap gap-1 my-1";
    chips.setAttribute("aria-label", "已选" + label);
    chips.setAttribute("role", "group");
    var status = document.createElement("div");
    status.className = "form-text app-picker-status";
    status.setAttribute("aria-live", "polite");
    box.insertBefore(chips, list);
    box.insertBefore(search, list);
    box.insertBefore(status, list);

    function renderChips() {
      chips.textContent = "";
      var chosen = rows.filter(function (r) { return r.input.checked; });
      chosen.forEach(function (r) {
        var chip = document.createElement("button");
        chip.type = "button";
        chip.className = "btn btn-sm btn-outline-primary app-chip";
        chip.setAttribute("data-chip-for", r.input.id);
        chip.setAttribute("aria-label", "移除" + label + "：" + r.text);
        chip.textContent = r.text + " ×";
        chips.appendChild(chip);
      });
      if (!chosen.length) {
        var none = document.createElement("span");
        none.className = "form-text m-0";
        none.textContent = "未选择";
        chips.appendChild(none);
      }
    }

    function filter() {
      var query = search.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (r) {
        var match = !query || r.text.toLowerCase().indexOf(query) >= 0;
        r.row.hidden = !match;
        if (match) { shown += 1; }
      });
      status.textContent = query ? "显示 " + shown + " / " + rows.length + " 项" : "共 " + rows.length + " 项";
      return shown;
    }

    function toggle(r, checked) {
      r.input.checked = checked;
      r.input.dispatchEvent(new Event("change", { bubbles: true }));
    }

    search.addEventListener("input", filter);
    search.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();  // never submits the form from the filter box
        var visible = rows.filter(function (r) { return !r.row.hidden; });
        if (visible.length === 1) {
          toggle(visible[0], !visible[0].input.checked);
          search.value = "";
          filter();
        } else if (visible.length) {
          visible[0].input.focus();
        }
      } else if (event.key === "Escape" && search.value) {
        event.preventDefault();
        search.value = "";
        filter();
      } else if (event.key === "ArrowDown") {
        var first = rows.filter(function (r) { return !r.row.hidden; })[0];
        if (first) { event.preventDefault(); first.input.focus(); }
      }
    });
    chips.addEventListener("click", function (event) {
      var chip = event.target.closest("[data-chip-for]");
      if (!chip) { return; }
      var r = rows.filter(function (x) { return x.input.id === chip.getAttribute("data-chip-for"); })[0];
      var next = chip.nextElementSibling || chip.previousElementSibling;
      if (r) { toggle(r, false); }
      var again = next && next.getAttribute("data-chip-for")
        ? chips.querySelector('[data-chip-for="' + next.getAttribute("data-chip-for") + '"]') : null;
      (again || search).focus();
    });
    list.addEventListener("change", renderChips);
    renderChips();
    filter();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("task-form");
    if (!form) { return; }
    form.querySelectorAll("[data-picker]").forEach(setupPicker);
    if (form.hasAttribute("data-stepped")) { setupSteps(form); }
  });
}());
