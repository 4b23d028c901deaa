// Live totals of the digital-maturity self-assessment form. The form works without this
// script (the server computes the totals when it is saved); the rules mirror domain::dx:
// yes/no earns its points, a share its points pro rata, functions × points each; the level of
// a group is 1 below 50, 2 from 50 to 75, 3 above 75, and 1 when a mandatory condition is unmet.
(function () {
  'use strict';
  var form = document.getElementById('dx-form');
  if (!form) { return; }
  function valueOf(card) {
    var checked = card.querySelector('input[type=radio]:checked');
    if (checked) { return parseFloat(checked.value); }
    var input = card.querySelector('input.dx-value');
    if (!input || input.value.trim() === '') { return null; }
    var v = parseFloat(input.value.replace(',', '.'));
    return isNaN(v) ? null : v;
  }
  function points(card, v) {
    if (v === null || card.dataset.mandatory === 'true') { return 0; }
    var max = parseFloat(card.dataset.max), pts = parseFloat(card.dataset.points);
    v = Math.min(Math.max(v, 0), max);
    if (card.dataset.kind === 'yes_no') { return v >= 1 ? pts : 0; }
    if (card.dataset.kind === 'share') { return Math.round(pts * v) / 100; }
    return Math.floor(v) * parseFloat(card.dataset.each);
  }
  function show(n) { return String(Math.round(n * 100) / 100).replace('.', ','); }
  function update() {
    var totals = {}, unmet = {};
    form.querySelectorAll('.dx-ind').forEach(function (card) {
      var g = card.dataset.group, v = valueOf(card), p = points(card, v);
      totals[g] = (totals[g] || 0) + p;
      if (card.dataset.mandatory === 'true' && !(v >= 1)) { unmet[g] = true; }
      var out = card.querySelector('.dx-earned');
      if (out) { out.textContent = show(p); }
    });
    Object.keys(totals).forEach(function (g) {
      var t = totals[g], level = unmet[g] ? 1 : (t > 75 ? 3 : (t >= 50 ? 2 : 1));
      var total = document.getElementById('total-' + g), lv = document.getElementById('level-' + g);
      if (total) { total.textContent = show(t); }
      if (lv) { lv.textContent = String(level); }
    });
  }
  form.addEventListener('input', update);
  form.addEventListener('change', update);
})();
