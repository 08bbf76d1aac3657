// Evaluations: the quiz of an evaluation lesson (partials/evaluation.html) and the graders'
// page /account/grading/ (account/grading.html), calling the evaluation API.
//
// Loaded (deferred) after app.js and account.js and BEFORE the Alpine CSP build, so the
// `alpine:init` listener is in place when Alpine starts. Same rules as app.js: markup only
// uses names, paths, calls, comparisons and literals; no inline scripts, no eval, no x-html
// (the server's trusted HTML of prompts, options and explanations is set from a method with
// `x-effect="html($el, …)"`); every user-visible string comes from the page (the
// `#evaluation-messages` JSON block, rendered through gettext).
//
// Nothing here is trusted by the server: scores, verdicts, deadlines and attempts are the
// API's; the page only shows them (the countdown runs on the server's clock, see `syncClock`).
(function () {
  'use strict';

  var DRAFT_PREFIX = 'lmsEvaluationDraft:';
  var STAFF_ROLES = ['admin', 'moderator', 'instructor'];
  // Seconds left at which the countdown is read out (polite live region).
  var ANNOUNCE_AT = [600, 300, 60, 30];

  // --- helpers -----------------------------------------------------------------------------

  /** Where the API lives: `<meta name="lms-api">`; empty means the site's own origin. */
  function apiBase() {
    var meta = document.querySelector('meta[name="lms-api"]');
    var base = meta ? (meta.getAttribute('content') || '') : '';
    return base.replace(/\/+$/, '');
  }

  function pageLang() {
    return document.documentElement.getAttribute('lang') || 'en';
  }

  /** `{name}` placeholders: fill('{n} of {total}', {n: 1, total: 3}). */
  function fill(template, values) {
    return String(template || '').replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  var messageCache = null;
  /** The page's translated messages: `<script type="application/json" id="evaluation-messages">`. */
  function messages() {
    if (messageCache === null) {
      var node = document.getElementById('evaluation-messages');
      try { messageCache = JSON.parse(node ? node.textContent : '{}') || {}; } catch (e) { messageCache = {}; }
    }
    return messageCache;
  }

  function say(key, values) {
    var text = messages()[key];
    return text ? fill(text, values || {}) : '';
  }

  /** `key_one` or `key_many` (English and Spanish both have one plural form). */
  function sayCount(key, n, values) {
    var all = { n: n };
    Object.keys(values || {}).forEach(function (name) { all[name] = values[name]; });
    return say(key + (n === 1 ? '_one' : '_many'), all);
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  /**
   * Call the API with the session cookie; JSON in, JSON out. Never rejects: resolves to
   * `{status, ok, data, error}`, where `error` is the API's `{code, message, fields}` (or
   * `{code: 'network_error'}` when the API could not be reached; status 0).
   */
  function api(method, path, body) {
    var options = { method: method, credentials: 'include', headers: { Accept: 'application/json' } };
    if (method !== 'GET') {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body || {});
    }
    return fetch(apiBase() + path, options).then(function (response) {
      return response.text().then(function (raw) {
        var data = null;
        if (raw) {
          try { data = JSON.parse(raw); } catch (e) { data = null; }
        }
        var error = null;
        if (!response.ok) {
          error = data && data.error && typeof data.error === 'object'
            ? data.error
            : { code: 'http_' + response.status, message: '' };
        }
        return { status: response.status, ok: response.ok, data: response.ok ? data : null, error: error };
      });
    }, function () {
      return { status: 0, ok: false, data: null, error: { code: 'network_error', message: '' } };
    });
  }

  /** The message for a failed call: a translated one for known codes, else the API's. */
  function errorMessage(result) {
    var error = result.error || {};
    var known = say('error_' + (error.code || ''));
    if (known) return known;
    if (result.status === 0) return say('error_network_error');
    if (error.message) return error.message;
    return result.status >= 500 ? say('error_internal_error') : say('error_unexpected');
  }

  function signInHref(base) {
    var signin = base || '/account/sign-in/';
    var next = window.location.pathname + window.location.search;
    return signin + (signin.indexOf('?') === -1 ? '?' : '&') + 'next=' + encodeURIComponent(next);
  }

  /** "Nov 25, 2026, 3:04 PM" in the page's language and the visitor's time zone. */
  function formatDate(iso) {
    if (!iso) return '';
    var date = new Date(iso);
    if (isNaN(date.getTime())) return '';
    try {
      return new Intl.DateTimeFormat(pageLang(), { dateStyle: 'medium', timeStyle: 'short' }).format(date);
    } catch (e) {
      return date.toLocaleString();
    }
  }

  /** A score in percent ("84.61", a decimal string from the API) as "84.61%" / "84,61 %". */
  function formatScore(score) {
    if (score === null || score === undefined || score === '') return '';
    var value = Number(score);
    if (isNaN(value)) return String(score) + '%';
    try {
      return new Intl.NumberFormat(pageLang(), { style: 'percent', maximumFractionDigits: 2 }).format(value / 100);
    } catch (e) {
      return value + '%';
    }
  }

  /** "19:05", or "1:02:07" past an hour. */
  function formatClock(seconds) {
    var s = Math.max(0, Math.floor(seconds));
    var hours = Math.floor(s / 3600);
    var minutes = Math.floor((s % 3600) / 60);
    var rest = s % 60;
    var mm = (hours && minutes < 10 ? '0' : '') + minutes;
    var ss = (rest < 10 ? '0' : '') + rest;
    return (hours ? hours + ':' : '') + mm + ':' + ss;
  }

  function isStaff(user) {
    var roles = (user && user.roles) || [];
    return roles.some(function (role) { return STAFF_ROLES.indexOf(role) !== -1; });
  }

  /**
   * Trusted HTML from the server (rendered from the author's Markdown) into `el`. A code block
   * or table wider than its box scrolls sideways, so it must be reachable with the keyboard
   * (as app.js does for lesson bodies).
   */
  function setHtml(el, html) {
    var value = html || '';
    if (!el || el.innerHTML === value) return;
    el.innerHTML = value;
    window.setTimeout(function () {
      var boxes = el.querySelectorAll('pre, table');
      for (var i = 0; i < boxes.length; i++) {
        if (boxes[i].scrollWidth > boxes[i].clientWidth + 1) boxes[i].setAttribute('tabindex', '0');
      }
    }, 0);
  }

  function readDraft(id) {
    try {
      var raw = window.localStorage.getItem(DRAFT_PREFIX + id);
      var data = raw ? JSON.parse(raw) : null;
      return data && typeof data === 'object' ? data : null;
    } catch (e) { return null; }
  }

  function writeDraft(id, answers) {
    try { window.localStorage.setItem(DRAFT_PREFIX + id, JSON.stringify(answers)); } catch (e) { /* storage off */ }
  }

  function dropDraft(id) {
    try { window.localStorage.removeItem(DRAFT_PREFIX + id); } catch (e) { /* storage off */ }
  }

  var NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

  /** A typed number as the API wants it: "4,2" (a decimal comma) becomes "4.2"; null if not a number. */
  function normaliseNumber(text) {
    var value = String(text || '').trim().replace(/\s+/g, '');
    if (/^[+-]?\d*,\d+$/.test(value)) value = value.replace(',', '.');
    return NUMBER.test(value) ? value : null;
  }

  function isBlank(value) {
    if (value === null || value === undefined) return true;
    if (Array.isArray(value)) return value.length === 0;
    if (typeof value === 'string') return value.trim() === '';
    return false;
  }

  // --- the quiz ----------------------------------------------------------------------------

  /** The question's option text (trusted HTML) for an option id, or the escaped id. */
  function optionHtml(question, id) {
    var options = (question && question.options) || [];
    for (var i = 0; i < options.length; i++) {
      if (options[i].id === id) return options[i].text_html;
    }
    return escapeHtml(id);
  }

  /** An answer (the student's, or the key) as HTML: option texts, True/False, or escaped text. */
  function answerHtml(question, value, tolerance) {
    if (isBlank(value)) return '<em>' + escapeHtml(say('no_answer')) + '</em>';
    var type = question ? question.type : '';
    if (type === 'single') return optionHtml(question, String(value));
    if (type === 'multiple') {
      var list = Array.isArray(value) ? value : [value];
      return '<ul class="evaluation-answer-list">' + list.map(function (id) {
        return '<li>' + optionHtml(question, String(id)) + '</li>';
      }).join('') + '</ul>';
    }
    if (type === 'true_false') {
      var yes = value === true || value === 'true';
      return escapeHtml(yes ? say('true') : say('false'));
    }
    var text = escapeHtml(String(value));
    if (type === 'numeric' && tolerance && Number(tolerance) !== 0) {
      text += ' ' + escapeHtml(say('plusMinus', { tolerance: tolerance }));
    }
    return text;
  }

  document.addEventListener('alpine:init', function () {
    var Alpine = window.Alpine;

    // The quiz of an evaluation lesson. Views:
    //   loading → overview (facts, start/resume, history, "ask for another attempt")
    //           → taking (the form, the countdown) → result (score, feedback) → overview …
    //   signin (401) | enroll (not enrolled) | audit (auditing) | error
    // On a gated lesson page (data-gated="true") the lesson shell above already shows the
    // sign-in / enroll / audit call to action, so this component shows nothing in those views.
    Alpine.data('evaluation', function () {
      // The component's element, kept out of the reactive data: methods that run later (a
      // timer, a fetch callback) use it rather than the `$root` magic.
      var root = null;
      return {
        view: 'loading',
        course: '',
        lesson: '',
        gated: false,
        info: null,
        attempt: null,
        answers: {},
        errors: {},
        message: '',
        notice: '',
        busy: false,
        submitting: false,
        confirmUnanswered: false,
        remaining: null,
        announcement: '',
        feedback: [],
        timer: null,
        deadlineAt: 0,
        clockOffset: 0,
        announced: {},
        autoSubmitted: false,
        pendingFocus: '',
        requestReason: '',
        requestError: '',
        requestBusy: false,
        signinHref: '',

        init: function () {
          root = this.$root;
          var data = root.dataset;
          this.course = data.course || '';
          this.lesson = data.lesson || '';
          this.gated = data.gated === 'true';
          this.signinHref = signInHref(data.signinUrl);
          // Enrolled from this page (the lesson shell's "Enroll for free"): app.js publishes
          // the new course status; the evaluation is then open.
          var self = this;
          document.addEventListener('lms:status', function (event) {
            var detail = event.detail || {};
            if (detail.course !== data.course || !detail.status || !detail.status.enrolled) return;
            if (self.view === 'enroll' || self.view === 'audit') self.load();
          });
          this.load();
        },

        // --- paths and loading ------------------------------------------------------------

        get evaluationPath() {
          return '/api/courses/' + encodeURIComponent(this.course) +
            '/evaluations/' + encodeURIComponent(this.lesson);
        },

        /** GET the evaluation; `then` (optional) runs after a 200 instead of showing the overview. */
        load: function (keepView) {
          var self = this;
          if (!keepView) { this.view = 'loading'; this.message = ''; }
          return api('GET', this.evaluationPath).then(function (result) {
            if (result.ok && result.data) {
              self.info = result.data;
              if (!keepView) self.showInfo();
            } else if (!keepView) {
              self.blockedBy(result);
            }
            return result;
          });
        },

        showInfo: function () {
          var blocked = this.info ? this.info.blocked : null;
          if (blocked === 'not_enrolled') this.view = 'enroll';
          else if (blocked === 'audit_excluded') this.view = 'audit';
          else if (blocked === 'not_authenticated') this.view = 'signin';
          else this.view = 'overview';
        },

        /** A failed call that ends the quiz view: sign in, enroll, audit, or an error. */
        blockedBy: function (result) {
          var code = result.error ? result.error.code : '';
          if (result.status === 401) this.view = 'signin';
          else if (code === 'not_enrolled') this.view = 'enroll';
          else if (code === 'audit_excluded') this.view = 'audit';
          else { this.message = errorMessage(result); this.view = 'error'; }
        },

        retry: function () { this.load(); },

        get showsCta() {
          return !this.gated && (this.view === 'signin' || this.view === 'enroll' || this.view === 'audit');
        },

        // --- the overview -----------------------------------------------------------------

        get hasInfo() { return Boolean(this.info); },
        get attemptsUsed() { return this.info ? this.info.attempts_used : 0; },
        get history() { return (this.info && this.info.attempts) || []; },
        get hasHistory() { return this.history.length > 0; },
        get inProgress() { return Boolean(this.info && this.info.in_progress); },
        get canStart() { return Boolean(this.info && this.info.can_start); },
        get noAttemptsLeft() { return Boolean(this.info && this.info.blocked === 'no_attempts_left'); },
        get passed() { return Boolean(this.info && this.info.passed); },
        get waitingForGrade() { return Boolean(this.info && this.info.pending); },
        get hasScore() { return Boolean(this.info && this.info.score !== null && this.info.score !== undefined); },
        get countedScore() { return this.info ? formatScore(this.info.score) : ''; },
        get timed() { return Boolean(this.info && this.info.time_limit_minutes); },

        get questionsFact() {
          if (!this.info) return '';
          return say('questions_fact', { n: this.info.question_count, points: sayCount('points', this.info.total_points) });
        },
        get passFact() { return this.info ? say('pass_mark', { score: this.info.passing_score }) : ''; },
        get attemptsFact() {
          var info = this.info;
          if (!info) return '';
          if (info.attempts_left === null || info.attempts_left === undefined) return say('attempts_unlimited');
          return sayCount('attempts_left', info.attempts_left, { allowed: info.attempts_allowed });
        },
        get timeFact() {
          if (!this.timed) return say('no_time_limit');
          return sayCount('minutes', this.info.time_limit_minutes);
        },
        get scoringFact() {
          return this.info && this.info.scoring === 'last' ? say('scoring_last') : say('scoring_best');
        },
        get timedNote() {
          return this.timed ? sayCount('timed_note', this.info.time_limit_minutes) : '';
        },
        get standing() {
          var info = this.info;
          if (!info || !info.attempts_used) return '';
          if (info.passed) return say('standing_passed', { score: formatScore(info.score) });
          if (this.hasScore) return say('standing_score', { score: formatScore(info.score), pass: info.passing_score });
          if (info.pending) return say('standing_pending');
          return '';
        },
        get startLabel() {
          if (this.inProgress) return say('resume');
          return this.attemptsUsed ? say('try_again') : say('start');
        },

        // The request for another attempt (only once every attempt is used).
        get request() { return this.info ? this.info.request : null; },
        get requestStatus() { return this.request ? this.request.status : ''; },
        /** Asking makes sense once every attempt is used, the verdict is known, and not passed. */
        get canAsk() {
          return this.noAttemptsLeft && this.requestStatus !== 'pending' && !this.passed && !this.waitingForGrade;
        },
        get requestSummary() {
          var request = this.request;
          if (!request) return '';
          if (request.status === 'pending') return say('request_pending_since', { date: formatDate(request.created_at) });
          if (request.status === 'denied') return say('request_denied_on', { date: formatDate(request.decided_at) });
          if (request.status === 'granted') {
            return sayCount('request_granted', request.extra_attempts || 1, { date: formatDate(request.decided_at) });
          }
          return '';
        },
        get requestNote() { return this.request && this.request.note ? this.request.note : ''; },
        get reasonCount() { return say('characters', { n: this.requestReason.length, max: 2000 }); },

        askForAttempt: function () {
          var self = this;
          if (this.requestBusy) return;
          this.requestError = '';
          this.requestBusy = true;
          api('POST', this.evaluationPath + '/attempt-requests', { reason: this.requestReason.trim() }).then(function (result) {
            self.requestBusy = false;
            if (result.ok) {
              self.requestReason = '';
              self.notice = say('request_sent');
              self.load(true);
            } else if (result.status === 401) {
              self.view = 'signin';
            } else {
              var fields = (result.error && result.error.fields) || {};
              self.requestError = fields.reason || errorMessage(result);
              if (result.status === 409) self.load(true);
            }
          });
        },

        /** "Ask for another attempt" from a result: back to the overview, at the form. */
        goToRequest: function () {
          this.view = 'overview';
          this.$nextTick(function () {
            var field = root.querySelector('#evaluation-request-reason') || root.querySelector('.evaluation-request');
            if (field) field.focus();
          });
        },

        historyStatus: function (row) {
          if (row.status === 'in_progress') return say('status_in_progress');
          if (row.status === 'pending') return say('status_pending');
          return row.passed ? say('status_passed') : say('status_failed');
        },
        historyClass: function (row) {
          if (row.status === 'in_progress' || row.status === 'pending') return 'is-pending';
          return row.passed ? 'is-passed' : 'is-failed';
        },
        historyScore: function (row) { return row.score === null ? '—' : formatScore(row.score); },
        historyDate: function (row) { return formatDate(row.submitted_at || row.started_at); },
        attemptLabel: function (n) { return say('attempt_number', { n: n }); },
        viewLabel: function (row) {
          return say(row.status === 'in_progress' ? 'resume_attempt' : 'view_attempt', { n: row.number });
        },

        // --- starting, resuming, reading an attempt ----------------------------------------

        start: function () {
          var self = this;
          if (this.busy) return;
          this.busy = true;
          this.message = '';
          this.notice = '';
          api('POST', this.evaluationPath + '/attempts', {}).then(function (result) {
            self.busy = false;
            if (result.ok && result.data) {
              self.begin(result.data);
            } else if (result.status === 403 && result.error && result.error.code === 'no_attempts_left') {
              self.message = errorMessage(result);
              self.load(true);
            } else if (result.status === 401 || result.status === 403) {
              self.blockedBy(result);
            } else {
              self.message = errorMessage(result);
            }
          });
        },

        /** Show an attempt of the history: its result, or the form if it is still open. */
        open: function (row) {
          var self = this;
          if (this.busy) return;
          if (row.status === 'in_progress') { this.start(); return; }
          this.busy = true;
          this.message = '';
          this.notice = '';
          api('GET', '/api/attempts/' + encodeURIComponent(row.id)).then(function (result) {
            self.busy = false;
            if (result.ok && result.data) self.showResult(result.data);
            else if (result.status === 401) self.view = 'signin';
            else self.message = errorMessage(result);
          });
        },

        begin: function (attempt) {
          if (attempt.status !== 'in_progress') { this.showResult(attempt); return; }
          this.attempt = attempt;
          this.autoSubmitted = false;
          this.notice = '';
          this.answers = readDraft(attempt.id) || {};
          this.errors = {};
          this.message = '';
          this.confirmUnanswered = false;
          this.announcement = '';
          this.view = 'taking';
          this.syncClock();
          this.focus('takingHeading');
        },

        /**
         * Focus a heading (or the warning) of the new view, and bring it to the top. A view
         * that x-if renders may arrive after $nextTick: its heading calls `arrived` (x-init).
         */
        focus: function (ref) {
          var self = this;
          this.pendingFocus = ref;
          this.$nextTick(function () { self.focusNow(ref, self.$refs[ref]); });
        },
        arrived: function (el, ref) { this.focusNow(ref, el); },
        focusNow: function (ref, el) {
          if (!el || this.pendingFocus !== ref || !el.isConnected) return;
          this.pendingFocus = '';
          el.focus({ preventScroll: true });
          // The quiz's heading is in a sticky bar: scroll to the form it heads instead.
          var target = el.closest('.evaluation-quiz') || el;
          var rect = target.getBoundingClientRect();
          var header = document.querySelector('.site-header');
          var offset = (header ? header.getBoundingClientRect().height : 0) + 16;
          if (rect.top < offset || rect.top > window.innerHeight * 0.6) {
            window.scrollTo({ top: window.scrollY + rect.top - offset, behavior: 'auto' });
          }
        },

        // --- taking: the questions ----------------------------------------------------------

        get questions() { return (this.attempt && this.attempt.questions) || []; },
        get attemptTitle() { return this.attempt ? say('attempt_number', { n: this.attempt.number }) : ''; },

        questionLabel: function (index) { return say('question_of', { n: index + 1, total: this.questions.length }); },
        pointsLabel: function (points) { return sayCount('points', points); },
        inputId: function (q, suffix) { return 'evaluation-q-' + q.id + (suffix ? '-' + suffix : ''); },
        html: function (el, content) { setHtml(el, content); },

        isChosen: function (q, id) {
          var value = this.answers[q.id];
          return Array.isArray(value) ? value.indexOf(id) !== -1 : value === id;
        },
        choose: function (q, id) {
          this.answers[q.id] = id;
          this.changed(q);
        },
        toggle: function (q, id, event) {
          var list = Array.isArray(this.answers[q.id]) ? this.answers[q.id].slice() : [];
          var at = list.indexOf(id);
          if (event.target.checked && at === -1) list.push(id);
          if (!event.target.checked && at !== -1) list.splice(at, 1);
          this.answers[q.id] = list;
          this.changed(q);
        },
        isBool: function (q, value) { return this.answers[q.id] === value; },
        chooseBool: function (q, value) {
          this.answers[q.id] = value;
          this.changed(q);
        },
        text: function (q) {
          var value = this.answers[q.id];
          return typeof value === 'string' ? value : '';
        },
        /** A text answer's input, filled once from the saved draft (after a reload). */
        restore: function (el, q) {
          var value = this.text(q);
          if (value && !el.value) el.value = value;
        },
        typed: function (q, event) {
          this.answers[q.id] = event.target.value;
          this.changed(q);
        },
        lengthLabel: function (q) {
          return say('characters', { n: this.text(q).length, max: q.max_length || 10000 });
        },
        changed: function (q) {
          if (this.errors[q.id]) {
            var errors = {};
            var self = this;
            Object.keys(this.errors).forEach(function (key) { if (key !== q.id) errors[key] = self.errors[key]; });
            this.errors = errors;
            if (!Object.keys(errors).length) this.message = '';
          }
          this.confirmUnanswered = false;
          if (this.attempt) writeDraft(this.attempt.id, this.answers);
        },

        isAnswered: function (q) { return !isBlank(this.answers[q.id]); },
        get answeredCount() {
          var self = this;
          return this.questions.filter(function (q) { return self.isAnswered(q); }).length;
        },
        get answeredLabel() {
          return say('answered', { n: this.answeredCount, total: this.questions.length });
        },
        get progressStyle() {
          var total = this.questions.length;
          return { width: (total ? Math.round((this.answeredCount / total) * 100) : 0) + '%' };
        },
        get unanswered() {
          var self = this;
          var numbers = [];
          this.questions.forEach(function (q, index) { if (!self.isAnswered(q)) numbers.push(index + 1); });
          return numbers;
        },
        get unansweredLabel() {
          var numbers = this.unanswered;
          return sayCount('unanswered', numbers.length, { list: numbers.join(', ') });
        },

        hasError: function (q) { return Boolean(this.errors[q.id]); },
        errorFor: function (q) { return this.errors[q.id] || ''; },
        /** aria-describedby of an answer control: the prompt, a hint, and the error if any. */
        describedBy: function (q, hint) {
          var ids = [this.inputId(q, 'prompt')];
          if (hint) ids.push(this.inputId(q, 'hint'));
          if (this.errors[q.id]) ids.push(this.inputId(q, 'error'));
          return ids.join(' ');
        },

        /** aria-describedby of a question's fieldset: for choices (the field has its own otherwise). */
        groupDescribedBy: function (q) {
          if (q.type === 'short_text' || q.type === 'numeric' || q.type === 'open') return null;
          var ids = [this.inputId(q, 'prompt')];
          if (q.type === 'multiple') ids.push(this.inputId(q, 'hint'));
          if (this.errors[q.id]) ids.push(this.inputId(q, 'error'));
          return ids.join(' ');
        },

        /** Errors the page can see before sending: a numeric answer that is not a number. */
        check: function () {
          var self = this;
          var errors = {};
          this.questions.forEach(function (q) {
            if (q.type === 'numeric' && !isBlank(self.answers[q.id]) && normaliseNumber(self.answers[q.id]) === null) {
              errors[q.id] = say('not_a_number');
            }
          });
          return errors;
        },

        payload: function () {
          var self = this;
          var answers = {};
          this.questions.forEach(function (q) {
            var value = self.answers[q.id];
            if (isBlank(value)) return;
            if (q.type === 'numeric') answers[q.id] = normaliseNumber(value);
            else if (q.type === 'multiple') answers[q.id] = value.slice();
            else answers[q.id] = value;
          });
          return answers;
        },

        focusFirstError: function () {
          this.$nextTick(function () {
            var field = root.querySelector('.evaluation-question.is-invalid input, .evaluation-question.is-invalid textarea');
            if (field) field.focus();
          });
        },

        reviewUnanswered: function () {
          var first = this.unanswered[0];
          var q = this.questions[first - 1];
          this.confirmUnanswered = false;
          if (!q) return;
          var id = this.inputId(q);
          this.$nextTick(function () {
            var box = root.querySelector('#' + id);
            var field = box ? box.querySelector('input, textarea') : null;
            if (field) field.focus();
            if (box) box.scrollIntoView({ block: 'center', behavior: 'auto' });
          });
        },

        /** The submit button: warn about blank answers first (once), then send. */
        submit: function () { this.send(false); },
        submitAnyway: function () { this.send(true); },

        send: function (force) {
          var self = this;
          if (this.submitting || !this.attempt) return;
          var problems = this.check();
          this.errors = problems;
          this.message = '';
          if (Object.keys(problems).length && !force) {
            this.message = say('fix_answers');
            this.focusFirstError();
            return;
          }
          if (!force && this.unanswered.length && !this.confirmUnanswered) {
            this.confirmUnanswered = true;
            this.focus('unansweredWarning');
            return;
          }
          var attempt = this.attempt;
          this.message = '';
          this.confirmUnanswered = false;
          this.submitting = true;
          api('POST', '/api/attempts/' + encodeURIComponent(attempt.id) + '/submit', { answers: this.payload() }).then(function (result) {
            self.submitting = false;
            if (result.ok && result.data) {
              dropDraft(attempt.id);
              self.notice = self.autoSubmitted ? say('auto_submitted') : '';
              self.showResult(result.data);
              self.load(true);
              // Passing completes the lesson: let the syllabus and progress bar know (app.js).
              document.dispatchEvent(new CustomEvent('lms:refresh-status', { detail: { course: attempt.course || self.course } }));
              return;
            }
            var code = result.error ? result.error.code : '';
            if (result.status === 401) {
              self.stopClock();
              self.view = 'signin';
            } else if (code === 'already_submitted' || code === 'deadline_passed') {
              // Nothing more can be sent: show the attempt as the server has it.
              dropDraft(attempt.id);
              self.notice = errorMessage(result);
              self.reread(attempt.id);
            } else if (result.status === 422 && code === 'invalid_fields') {
              self.fieldErrors(result.error.fields || {});
            } else {
              self.message = errorMessage(result);
            }
          });
        },

        /** 422: `answers.<question id>` next to each question; anything else on top. */
        fieldErrors: function (fields) {
          var self = this;
          var errors = {};
          var other = [];
          Object.keys(fields).forEach(function (key) {
            var id = key.indexOf('answers.') === 0 ? key.slice('answers.'.length) : '';
            var known = id && self.questions.some(function (q) { return q.id === id; });
            if (known) errors[id] = fields[key];
            else other.push(fields[key]);
          });
          this.errors = errors;
          this.message = [say('fix_answers')].concat(other).join(' ');
          this.focusFirstError();
        },

        reread: function (id) {
          var self = this;
          api('GET', '/api/attempts/' + encodeURIComponent(id)).then(function (result) {
            if (result.ok && result.data) {
              self.showResult(result.data);
            } else {
              self.stopClock();
              self.load();
            }
            self.load(true);
          });
        },

        leave: function () {
          this.stopClock();
          this.view = 'overview';
          this.load(true);
        },

        // --- the countdown (on the server's clock) -----------------------------------------

        get timedAttempt() { return Boolean(this.attempt && this.attempt.deadline && this.view === 'taking'); },
        get clock() { return this.remaining === null ? '' : formatClock(this.remaining); },
        get clockLabel() {
          if (this.remaining === null) return '';
          var minutes = Math.floor(this.remaining / 60);
          var seconds = this.remaining % 60;
          return say('time_left_label', { minutes: minutes, seconds: seconds });
        },
        get clockClass() {
          if (this.remaining === null) return '';
          if (this.remaining <= 60) return 'is-critical';
          if (this.remaining <= 300) return 'is-low';
          return '';
        },
        get timeUp() { return this.remaining !== null && this.remaining <= 0; },

        /** Deadline minus the server's `now` is the time left; the browser only counts it down. */
        syncClock: function () {
          var self = this;
          this.stopClock();
          this.remaining = null;
          this.announced = {};
          var attempt = this.attempt;
          if (!attempt || !attempt.deadline) return;
          var deadline = Date.parse(attempt.deadline);
          var now = Date.parse(attempt.now);
          if (isNaN(deadline)) return;
          this.clockOffset = isNaN(now) ? 0 : now - Date.now();
          this.deadlineAt = deadline;
          var left = Math.ceil((deadline - now) / 1000);
          // Thresholds already behind us at the start are not read out.
          ANNOUNCE_AT.forEach(function (mark) { if (left <= mark) self.announced[mark] = true; });
          this.tick();
          this.timer = window.setInterval(function () { self.tick(); }, 1000);
        },

        tick: function () {
          var left = Math.max(0, Math.ceil((this.deadlineAt - (Date.now() + this.clockOffset)) / 1000));
          this.remaining = left;
          var self = this;
          ANNOUNCE_AT.forEach(function (mark) {
            if (left <= mark && !self.announced[mark]) {
              self.announced[mark] = true;
              self.announcement = mark >= 60 ? sayCount('minutes_left', mark / 60) : sayCount('seconds_left', mark);
            }
          });
          if (left <= 0) {
            this.stopClock();
            this.announcement = say('time_up');
            this.notice = say('time_up');
            this.autoSubmitted = true;
            if (!this.submitting) this.send(true);
          }
        },

        stopClock: function () {
          if (this.timer) window.clearInterval(this.timer);
          this.timer = null;
        },

        // --- the result ---------------------------------------------------------------------

        showResult: function (attempt) {
          this.stopClock();
          this.remaining = null;
          this.attempt = attempt;
          this.errors = {};
          this.message = '';
          this.confirmUnanswered = false;
          this.feedback = this.buildFeedback(attempt);
          this.view = 'result';
          this.focus('resultHeading');
        },

        buildFeedback: function (attempt) {
          var byId = {};
          (attempt.feedback || []).forEach(function (item) { byId[item.id] = item; });
          var answers = attempt.answers || {};
          var total = (attempt.questions || []).length;
          return (attempt.questions || []).map(function (q, index) {
            var item = byId[q.id] || null;
            var detailed = Boolean(item && Object.prototype.hasOwnProperty.call(item, 'correct'));
            var given = detailed && item.answer !== undefined ? item.answer : answers[q.id];
            var answered = item ? Boolean(item.answered) : !isBlank(given);
            var status = 'answered';
            if (item && item.pending) status = 'pending';
            else if (!answered) status = 'unanswered';
            else if (detailed && item.correct === true) status = 'correct';
            else if (detailed && item.correct === false) status = 'wrong';
            var max = item ? item.max_points : q.points;
            var points = '';
            if (detailed && item.points !== null && item.points !== undefined) {
              points = sayCount('points_of', max, { points: item.points });
            } else {
              points = sayCount('points', max);
            }
            var showKey = detailed && status !== 'correct' && item.correct_answer !== null && item.correct_answer !== undefined;
            return {
              id: q.id,
              heading: say('question_of', { n: index + 1, total: total }),
              status: status,
              statusLabel: say('result_' + status),
              points: points,
              promptHtml: q.prompt_html,
              answerHtml: answerHtml(q, given),
              isText: q.type === 'open' || q.type === 'short_text',
              keyHtml: showKey ? answerHtml(q, item.correct_answer, item.tolerance) : '',
              explanationHtml: detailed && item.explanation_html ? item.explanation_html : ''
            };
          });
        },

        statusIcon: function (status) {
          return {
            correct: 'bi-check-circle-fill',
            wrong: 'bi-x-circle-fill',
            pending: 'bi-hourglass-split',
            unanswered: 'bi-dash-circle'
          }[status] || 'bi-circle';
        },

        get resultTitle() { return this.attempt ? say('result_title', { n: this.attempt.number }) : ''; },
        get resultPending() { return Boolean(this.attempt && (this.attempt.pending || this.attempt.status === 'pending')); },
        get resultPassed() { return Boolean(this.attempt && this.attempt.passed === true); },
        get resultFailed() { return Boolean(this.attempt && this.attempt.passed === false && !this.resultPending); },
        get resultScore() { return this.attempt && this.attempt.score !== null ? formatScore(this.attempt.score) : ''; },
        get resultNeeds() { return this.info ? say('pass_needs', { score: this.info.passing_score }) : ''; },
        get resultComment() { return (this.attempt && this.attempt.comment) || ''; },
        get resultAttemptsLeft() {
          var left = this.attempt ? this.attempt.attempts_left : null;
          if (left === null || left === undefined) return '';
          return left <= 0 ? say('no_attempts_left') : sayCount('attempts_remaining', left);
        },
        get hasFeedback() { return this.feedback.length > 0; },
        get detailedFeedback() {
          return this.feedback.some(function (item) { return item.status === 'correct' || item.status === 'wrong' || item.keyHtml || item.explanationHtml; });
        },
        get feedbackNote() {
          if (this.detailedFeedback) return '';
          var policy = (this.attempt && this.attempt.feedback_policy) || (this.info && this.info.feedback) || '';
          if (policy === 'after_passing') return say('feedback_after_passing');
          if (policy === 'after_last_attempt') return say('feedback_after_last_attempt');
          if (policy === 'never') return say('feedback_never');
          return '';
        },
        get canRetry() { return Boolean(this.info && this.info.can_start && !this.inProgress); },

        backToOverview: function () {
          this.view = 'overview';
          this.notice = '';
          this.focus('overviewHeading');
        },
        retryAttempt: function () { this.start(); }
      };
    });

    // --- the graders' page --------------------------------------------------------------------

    // /account/grading/: open answers waiting for a grade, and requests for another attempt.
    // state: loading → ready | forbidden (signed in, not staff) | error; signed out → sign-in.
    Alpine.data('gradingPage', function () {
      return {
        state: 'loading',
        signinUrl: '',
        items: [],
        requests: [],
        notice: '',
        message: '',
        init: function () {
          this.signinUrl = this.$root.dataset.signinUrl || '';
          this.load();
        },
        load: function () {
          var self = this;
          this.state = 'loading';
          api('GET', '/api/me').then(function (me) {
            if (me.status === 401) {
              self.state = 'redirecting';
              window.location.replace(signInHref(self.signinUrl));
              return null;
            }
            if (!me.ok) { self.message = errorMessage(me); self.state = 'error'; return null; }
            if (!isStaff(me.data)) { self.state = 'forbidden'; return null; }
            return Promise.all([
              api('GET', '/api/admin/grading'),
              api('GET', '/api/admin/attempt-requests?status=pending')
            ]).then(function (results) {
              var queue = results[0];
              var requests = results[1];
              if (queue.status === 403 || requests.status === 403) { self.state = 'forbidden'; return; }
              if (!queue.ok || !requests.ok) {
                self.message = errorMessage(queue.ok ? requests : queue);
                self.state = 'error';
                return;
              }
              self.items = (queue.data && queue.data.items) || [];
              self.requests = (requests.data && requests.data.items) || [];
              self.state = 'ready';
            });
          });
        },
        get hasItems() { return this.items.length > 0; },
        get hasRequests() { return this.requests.length > 0; },
        get itemsCount() { return sayCount('answers_waiting', this.items.length); },
        get requestsCount() { return sayCount('requests_waiting', this.requests.length); },
        /** `grading-done` from a gradingItem: drop it from the queue, say so. */
        graded: function (event) {
          var detail = event.detail || {};
          this.items = this.items.filter(function (item) { return item.attempt !== detail.attempt; });
          this.notice = detail.message || '';
          this.focusNotice();
        },
        /** `request-done` from a requestItem. */
        decided: function (event) {
          var detail = event.detail || {};
          this.requests = this.requests.filter(function (item) { return item.id !== detail.id; });
          this.notice = detail.message || '';
          this.focusNotice();
        },
        focusNotice: function () {
          var self = this;
          this.$nextTick(function () {
            var el = self.$refs.notice;
            if (el) el.focus({ preventScroll: false });
          });
        }
      };
    });

    /** Fields shared by the two kinds of card of the graders' page. */
    function studentFacts(source) {
      return {
        get studentLine() {
          var student = source.student || {};
          return student.email ? student.name + ' · ' + student.email : (student.name || '');
        },
        date: function (iso) { return formatDate(iso); },
        html: function (el, content) { setHtml(el, content); }
      };
    }

    function mixin(target, source) {
      Object.getOwnPropertyNames(source || {}).forEach(function (key) {
        Object.defineProperty(target, key, Object.getOwnPropertyDescriptor(source, key));
      });
      return target;
    }

    // One attempt of the queue: points for each open answer (whole numbers, 0..max) and a
    // comment; POST /api/admin/attempts/{id}/grade.
    Alpine.data('gradingItem', function (item) {
      return mixin({
        item: item,
        points: {},
        comment: '',
        errors: {},
        message: '',
        pending: false,
        init: function () {
          var points = {};
          (item.questions || []).forEach(function (q) { points[q.id] = ''; });
          this.points = points;
        },
        fieldId: function (q, suffix) { return 'grade-' + item.attempt + '-' + q.id + (suffix ? '-' + suffix : ''); },
        maxLabel: function (q) { return sayCount('out_of', q.max_points); },
        pointsLabel: function () { return say('points_field'); },
        answerText: function (q) {
          var value = q.answer;
          if (isBlank(value)) return say('no_answer');
          return Array.isArray(value) ? value.join(', ') : String(value);
        },
        hasAnswer: function (q) { return !isBlank(q.answer); },
        setPoints: function (q, event) {
          this.points[q.id] = event.target.value;
          if (this.errors[q.id]) {
            var errors = {};
            var self = this;
            Object.keys(this.errors).forEach(function (key) { if (key !== q.id) errors[key] = self.errors[key]; });
            this.errors = errors;
            if (!Object.keys(errors).length) this.message = '';
          }
        },
        pointsValue: function (q) { return this.points[q.id]; },
        hasError: function (q) { return Boolean(this.errors[q.id]); },
        errorFor: function (q) { return this.errors[q.id] || ''; },
        describedBy: function (q) {
          var ids = [this.fieldId(q, 'max')];
          if (this.errors[q.id]) ids.push(this.fieldId(q, 'error'));
          return ids.join(' ');
        },
        get submittedLine() { return say('submitted_on', { date: formatDate(item.submitted_at) }); },
        get soFarLine() { return item.score_so_far ? say('score_so_far', { points: item.score_so_far }) : ''; },
        save: function () {
          var self = this;
          if (this.pending) return;
          var errors = {};
          var points = {};
          (item.questions || []).forEach(function (q) {
            var raw = String(self.points[q.id] === undefined ? '' : self.points[q.id]).trim();
            var value = /^\d+$/.test(raw) ? parseInt(raw, 10) : NaN;
            if (raw === '') errors[q.id] = say('points_required', { max: q.max_points });
            else if (isNaN(value) || value < 0 || value > q.max_points) errors[q.id] = say('points_range', { max: q.max_points });
            else points[q.id] = value;
          });
          this.errors = errors;
          if (Object.keys(errors).length) {
            this.message = say('fix_points');
            var root = this.$root;
            this.$nextTick(function () {
              var field = root.querySelector('.is-invalid');
              if (field) field.focus();
            });
            return;
          }
          this.message = '';
          this.pending = true;
          api('POST', '/api/admin/attempts/' + encodeURIComponent(item.attempt) + '/grade', {
            points: points,
            comment: this.comment.trim()
          }).then(function (result) {
            self.pending = false;
            if (result.ok) {
              var data = result.data || {};
              var name = (item.student && item.student.name) || '';
              var verdict = data.passed === true ? say('verdict_passed') : (data.passed === false ? say('verdict_failed') : '');
              var known = data.score !== null && data.score !== undefined && verdict;
              self.$dispatch('grading-done', {
                attempt: item.attempt,
                message: known
                  ? say('grade_saved', { name: name, score: formatScore(data.score), verdict: verdict })
                  : say('grade_saved_plain', { name: name })
              });
              return;
            }
            var fields = (result.error && result.error.fields) || {};
            var mapped = {};
            var other = [];
            Object.keys(fields).forEach(function (key) {
              var id = key.indexOf('points.') === 0 ? key.slice('points.'.length) : '';
              if (id && Object.prototype.hasOwnProperty.call(self.points, id)) mapped[id] = fields[key];
              else other.push(fields[key]);
            });
            self.errors = mapped;
            self.message = [errorMessage(result)].concat(other).join(' ');
          });
        }
      }, studentFacts(item));
    });

    // One request for another attempt: grant N more (1..10) or deny, with a note for the
    // student; POST /api/admin/attempt-requests/{id}.
    Alpine.data('requestItem', function (request) {
      return mixin({
        request: request,
        extra: '1',
        note: '',
        message: '',
        extraError: '',
        pending: false,
        get usedLine() {
          var allowed = request.attempts_allowed;
          if (allowed === null || allowed === undefined) return sayCount('attempts_used', request.attempts_used);
          return say('attempts_used_of', { used: request.attempts_used, allowed: allowed });
        },
        get askedLine() { return say('asked_on', { date: formatDate(request.created_at) }); },
        get hasReason() { return Boolean(request.reason && request.reason.trim()); },
        fieldId: function (name) { return 'request-' + request.id + '-' + name; },
        grant: function () { this.decide('grant'); },
        deny: function () { this.decide('deny'); },
        decide: function (decision) {
          var self = this;
          if (this.pending) return;
          var raw = String(this.extra).trim();
          var extra = /^\d+$/.test(raw) ? parseInt(raw, 10) : NaN;
          this.extraError = '';
          if (decision === 'grant' && (isNaN(extra) || extra < 1 || extra > 10)) {
            this.extraError = say('extra_range');
            var field = this.$root.querySelector('#' + this.fieldId('extra'));
            if (field) field.focus();
            return;
          }
          var body = { decision: decision, note: this.note.trim() };
          if (decision === 'grant') body.extra_attempts = extra;
          this.message = '';
          this.pending = true;
          api('POST', '/api/admin/attempt-requests/' + encodeURIComponent(request.id), body).then(function (result) {
            self.pending = false;
            if (result.ok) {
              var name = (request.student && request.student.name) || '';
              self.$dispatch('request-done', {
                id: request.id,
                message: decision === 'grant'
                  ? sayCount('granted_notice', extra, { name: name })
                  : say('denied_notice', { name: name })
              });
              return;
            }
            var fields = (result.error && result.error.fields) || {};
            if (fields.extra_attempts) self.extraError = fields.extra_attempts;
            self.message = errorMessage(result);
          });
        }
      }, studentFacts(request));
    });
  });
})();
