// Live totals of the digital-maturity self-assessment form. The form works without this
// script (the server computes the totals when it is saved); the rules mirror domain::dx:
// yes/no earns its points, a share its points pro rata, functions × points each; the level of
// a group is 1 below 50, 2 from 50 to 75, 3 above 75, and 1 when a mandatory condition is unmet
// (unless the settings say otherwise); the school's level combines the groups as configured.
(function () {
  'use strict';
  var form = document.getElementById('dx-form');
  if (!form) { return; }
  var caps = form.dataset.caps === 'true';
  var combine = form.dataset.combine;
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
  function round2(n) { return Math.round(n * 100) / 100; }
  function show(n) { return String(round2(n)).replace('.', ','); }
  function levelOf(score, met) {
    if (!met && caps) { return 1; }
    return score > 75 ? 3 : (score >= 50 ? 2 : 1);
  }
  function setAll(selector, text) {
    document.querySelectorAll(selector).forEach(function (el) { el.textContent = text; });
  }
  function update() {
    var totals = {}, missing = {}, groups = [];
    form.querySelectorAll('.dx-ind').forEach(function (card) {
      var g = card.dataset.group, v = valueOf(card), p = points(card, v);
      if (!(g in totals)) { totals[g] = 0; missing[g] = []; groups.push(g); }
      totals[g] += p;
      if (card.dataset.mandatory === 'true' && !(v >= 1)) { missing[g].push(card.id.slice(2)); }
      var out = card.querySelector('.dx-earned');
      if (out) { out.textContent = show(p); }
    });
    var levels = [], sum = 0, allMet = true;
    groups.forEach(function (g) {
      var met = missing[g].length === 0, level = levelOf(round2(totals[g]), met);
      levels.push(level); sum += round2(totals[g]); allMet = allMet && met;
      setAll('[data-total="' + g + '"]', show(totals[g]));
      setAll('[data-level="' + g + '"]', String(level));
      var warn = document.querySelector('[data-missing="' + g + '"]');
      if (warn) {
        warn.hidden = met;
        warn.querySelector('output').textContent = missing[g].join(', ');
      }
    });
    var school = combine === 'higher' ? Math.max.apply(null, levels)
      : combine === 'mean_score' ? levelOf(round2(sum / levels.length), allMet)
        : Math.min.apply(null, levels);
    setAll('#dx-school-level', String(school));
  }
  form.addEventListener('input', update);
  form.addEventListener('change', update);
})();
