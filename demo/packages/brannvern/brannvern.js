/* Brannvern på arbeidsplassen: a SCORM 1.2 SCO of four pages and a three-question test.
   It resumes on the page where the learner left (lesson_location) with the answers given so far
   (suspend_data), reports each answer as an interaction, and on delivery sets the score
   (0–100) and "completed"; the LMS turns that into passed/failed by the masteryscore. */
(function () {
  'use strict';
  var api = null;
  for (var w = window, i = 0; w && i < 10; i += 1) {
    if (w.API) { api = w.API; break; }
    if (w.parent === w) break;
    w = w.parent;
  }
  var PAGES = 4;
  var CORRECT = { q1: 'b', q2: 'a', q3: 'b' };
  var page = 1;
  var finished = false;
  var get = function (k) { return api ? api.LMSGetValue(k) : ''; };
  var set = function (k, v) { if (api) api.LMSSetValue(k, v); };
  var commit = function () { if (api) api.LMSCommit(''); };

  if (api) api.LMSInitialize('');
  var started = Date.now();
  var form = document.getElementById('quiz');
  var result = document.getElementById('result');

  function answers() {
    var out = {};
    for (var q in CORRECT) {
      var checked = form.querySelector('input[name="' + q + '"]:checked');
      if (checked) out[q] = checked.value;
    }
    return out;
  }
  function restore(saved) {
    for (var q in saved) {
      var input = form.querySelector('input[name="' + q + '"][value="' + saved[q] + '"]');
      if (input) input.checked = true;
    }
  }
  function show(n) {
    page = Math.max(1, Math.min(PAGES, n));
    var sections = document.querySelectorAll('.page');
    for (var s = 0; s < sections.length; s += 1) sections[s].hidden = Number(sections[s].getAttribute('data-page')) !== page;
    document.getElementById('previous').disabled = page === 1;
    document.getElementById('next').disabled = page === PAGES;
    document.getElementById('page-progress').textContent = 'Side ' + page + ' av ' + PAGES;
    set('cmi.core.lesson_location', String(page));
    set('cmi.suspend_data', JSON.stringify(answers()));
    if (!finished) {
      if (get('cmi.core.lesson_status') === 'not attempted') set('cmi.core.lesson_status', 'incomplete');
      // Closing the window is the usual way out: the player's page sends this state when it goes.
      set('cmi.core.exit', 'suspend');
      set('cmi.core.session_time', sessionTime());
    }
    commit();
  }
  function sessionTime() {
    var s = Math.round((Date.now() - started) / 1000);
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    return pad(Math.floor(s / 3600)) + ':' + pad(Math.floor((s % 3600) / 60)) + ':' + pad(s % 60);
  }

  if (get('cmi.core.entry') === 'resume') {
    try { restore(JSON.parse(get('cmi.suspend_data') || '{}')); } catch (e) { /* start the test afresh */ }
  }
  show(Number(get('cmi.core.lesson_location')) || 1);

  document.getElementById('previous').addEventListener('click', function () { show(page - 1); });
  document.getElementById('next').addEventListener('click', function () { show(page + 1); });
  form.addEventListener('change', function () { set('cmi.suspend_data', JSON.stringify(answers())); });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var given = answers();
    var questions = Object.keys(CORRECT);
    if (Object.keys(given).length < questions.length) {
      result.textContent = 'Svar på alle spørsmålene før du leverer.';
      return;
    }
    var right = 0;
    questions.forEach(function (q, n) {
      var ok = given[q] === CORRECT[q];
      if (ok) right += 1;
      set('cmi.interactions.' + n + '.id', q);
      set('cmi.interactions.' + n + '.type', 'choice');
      set('cmi.interactions.' + n + '.student_response', given[q]);
      set('cmi.interactions.' + n + '.correct_responses.0.pattern', CORRECT[q]);
      set('cmi.interactions.' + n + '.result', ok ? 'correct' : 'wrong');
    });
    var score = Math.round((right / questions.length) * 100);
    set('cmi.core.score.min', '0');
    set('cmi.core.score.max', '100');
    set('cmi.core.score.raw', String(score));
    set('cmi.core.lesson_status', 'completed');
    set('cmi.core.exit', '');
    set('cmi.core.session_time', sessionTime());
    finished = true;
    result.textContent = right + ' av ' + questions.length + ' riktige (' + score + ' %). Du kan lukke kurset og gå videre i læringsløpet.';
    if (api) api.LMSFinish('');
  });
})();
