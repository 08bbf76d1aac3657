// Certificates, master classes and calendars: the Alpine.js components of
//   - the public verification page /certificates/verify/?id=…      `certificateVerify`
//   - "My learning": the student's certificates and calendar feed  `myCertificates`, `calendarFeed`
//   - a master class's page: Register / Cancel / Join, seats left  `masterclassActions`
//
// Loaded (deferred) BEFORE the Alpine CSP build, like app.js, so the `alpine:init` listener is
// in place when Alpine starts. Same rules: markup only uses names, property paths, calls,
// comparisons and literals; no inline scripts, no eval. Every user-visible string comes from
// the page: the `#certificate-messages` JSON block (partials/certificate_messages.html).
(function () {
  'use strict';

  // --- helpers -----------------------------------------------------------------------------

  function apiBase() {
    var meta = document.querySelector('meta[name="lms-api"]');
    var base = meta ? (meta.getAttribute('content') || '') : '';
    return base.replace(/\/+$/, '');
  }

  function apiUrl(path) {
    return apiBase() + path;
  }

  /** GET JSON with the session cookie; resolves to {status, data} (status 0: unreachable). */
  function getJson(path) {
    return fetch(apiUrl(path), { credentials: 'include', headers: { Accept: 'application/json' } })
      .then(function (response) {
        return response.json().then(
          function (data) { return { status: response.status, data: data }; },
          function () { return { status: response.status, data: null }; }
        );
      }, function () { return { status: 0, data: null }; });
  }

  /** A state-changing call (JSON body, as the API's CSRF rules want); never rejects. */
  function sendJson(method, path, body) {
    return fetch(apiUrl(path), {
      method: method,
      credentials: 'include',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.text().then(function (raw) {
        var data = null;
        if (raw) {
          try { data = JSON.parse(raw); } catch (e) { data = null; }
        }
        var error = response.ok ? null : ((data && data.error) || { code: 'http_' + response.status });
        return { status: response.status, ok: response.ok, data: response.ok ? data : null, error: error };
      });
    }, function () {
      return { status: 0, ok: false, data: null, error: { code: 'network_error' } };
    });
  }

  var messageCache = null;
  /** A translated sentence of the page, `{name}` placeholders filled. */
  function say(key, values) {
    if (messageCache === null) {
      var node = document.getElementById('certificate-messages');
      try { messageCache = JSON.parse(node ? node.textContent : '{}') || {}; } catch (e) { messageCache = {}; }
    }
    var text = messageCache[key] || '';
    values = values || {};
    return text.replace(/\{(\w+)\}/g, function (match, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : match;
    });
  }

  function errorText(result) {
    var error = (result && result.error) || {};
    if (!result || result.status === 0) return say('network_error');
    if (error.code && say('error_' + error.code)) return say('error_' + error.code);
    if (error.message) return error.message;
    return say(result.status >= 500 ? 'internal_error' : 'unexpected_error');
  }

  function pageLang() {
    return document.documentElement.getAttribute('lang') || undefined;
  }

  /** "2031-03-14" (a date) or an ISO timestamp → "March 14, 2031" in the page's language. */
  function longDate(value) {
    if (!value) return '';
    var text = String(value);
    var dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
    if (!dateOnly && /T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text)) text += 'Z';
    var date = new Date(dateOnly ? text + 'T12:00:00Z' : text);
    if (isNaN(date.getTime())) return '';
    var options = { dateStyle: 'long' };
    if (dateOnly) options.timeZone = 'UTC';
    try { return new Intl.DateTimeFormat(pageLang(), options).format(date); } catch (e) { return text; }
  }

  /** A moment in the visitor's time zone: "Monday, March 10, 2031 at 6:45 PM". */
  function localMoment(value) {
    var date = new Date(value);
    if (isNaN(date.getTime())) return '';
    try {
      return new Intl.DateTimeFormat(pageLang(), { dateStyle: 'full', timeStyle: 'short' }).format(date);
    } catch (e) {
      return date.toLocaleString();
    }
  }

  /** A certificate's PDF on the API this page talks to (`download`: as an attachment). */
  function pdfPath(id, download) {
    return apiUrl('/api/certificates/' + encodeURIComponent(id) + '.pdf' + (download ? '?download=1' : ''));
  }

  function signInHref(base) {
    var signin = base || '/account/sign-in/';
    var next = window.location.pathname + window.location.search;
    return signin + (signin.indexOf('?') === -1 ? '?' : '&') + 'next=' + encodeURIComponent(next);
  }

  /** Copy `text` (Clipboard API, or select `input` and execCommand); calls done() on success. */
  function copyText(text, input, done) {
    var fallback = function () {
      if (!input) return;
      input.focus();
      input.select();
      try { if (document.execCommand('copy')) done(); } catch (e) { /* the text stays selected */ }
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, fallback);
    } else {
      fallback();
    }
  }

  document.addEventListener('alpine:init', function () {
    var Alpine = window.Alpine;

    // /certificates/verify/?id=…: GET /api/certificates/{id}.
    // state: loading → valid | expired | revoked | unknown | missing (no id) | error
    Alpine.data('certificateVerify', function () {
      return {
        state: 'loading',
        record: null,
        entered: '',
        copied: false,
        init: function () {
          var id = (new URLSearchParams(window.location.search).get('id') || '').trim();
          this.entered = id;
          if (!id) { this.state = 'missing'; return; }
          this.load(id);
        },
        load: function (id) {
          var self = this;
          this.state = 'loading';
          getJson('/api/certificates/' + encodeURIComponent(id)).then(function (result) {
            if (result.status === 200 && result.data) {
              self.record = result.data;
              self.state = result.data.status;
              document.title = say('page_title_of', { title: result.data.title }) || document.title;
            } else if (result.status === 404) {
              self.state = 'unknown';
            } else {
              self.state = 'error';
            }
            self.$nextTick(function () { if (self.$refs.result) self.$refs.result.focus(); });
          });
        },
        retry: function () { this.load(this.entered.trim()); },
        lookUp: function () {
          var id = this.entered.trim();
          if (!id) return;
          window.location.assign(window.location.pathname + '?id=' + encodeURIComponent(id));
        },
        get stateClass() { return 'is-' + this.state; },
        get found() { return this.record !== null && ['valid', 'expired', 'revoked'].indexOf(this.state) !== -1; },
        get isProgram() { return Boolean(this.record && this.record.kind === 'program'); },
        get hasInstructors() { return Boolean(this.record && this.record.instructors.length); },
        get hasCourses() { return Boolean(this.record && this.record.courses.length); },
        get hasHours() { return Boolean(this.record && this.record.hours); },
        get hasExpiry() { return Boolean(this.record && this.record.expires_on); },
        get canDownload() { return Boolean(this.record && this.record.pdf_url); },
        get studentName() { return this.record ? this.record.student_name : ''; },
        get title() { return this.record ? this.record.title : ''; },
        get certificateId() { return this.record ? this.record.id : ''; },
        get school() { return this.record ? this.record.school : ''; },
        get instructors() { return this.record ? this.record.instructors.join(', ') : ''; },
        get courses() { return this.record ? this.record.courses : []; },
        // The API as this page reaches it (`<meta name="lms-api">`), not the API's own idea of it.
        get pdfHref() { return this.record && this.record.pdf_url ? pdfPath(this.record.id, true) : '#'; },
        get completedOn() { return this.record ? longDate(this.record.completed_on) : ''; },
        get expiresOn() { return this.record ? longDate(this.record.expires_on) : ''; },
        get hours() {
          if (!this.record || !this.record.hours) return '';
          var value = Number(this.record.hours);
          var formatted = value;
          try { formatted = new Intl.NumberFormat(pageLang(), { maximumFractionDigits: 1 }).format(value); } catch (e) { /* as is */ }
          return say(value === 1 ? 'hours_one' : 'hours_many', { hours: formatted });
        },
        get statusText() {
          if (!this.record) return '';
          if (this.state === 'valid') return say('status_valid_text', { school: this.record.school });
          if (this.state === 'expired') return say('status_expired_text', { date: longDate(this.record.expires_on) });
          return say('status_revoked_text', { date: longDate(this.record.revoked_at) });
        },
        get revokedReason() { return this.record && this.record.revoked_reason ? this.record.revoked_reason : ''; },
        get copyLabel() { return say(this.copied ? 'copied' : 'copy_link'); },
        copyLink: function () {
          var self = this;
          copyText(window.location.href, this.$refs.link, function () {
            self.copied = true;
            window.setTimeout(function () { self.copied = false; }, 2000);
          });
        },
        get pageUrl() { return window.location.href; }
      };
    });

    // My learning: GET /api/me/certificates. Waits for the dashboard (`myLearning`, the parent
    // scope) to be ready, so a signed-out visitor, who is sent to sign-in, asks nothing.
    Alpine.data('myCertificates', function () {
      return {
        certState: 'idle',
        items: [],
        copiedId: '',
        init: function () {
          var self = this;
          if (typeof this.state === 'undefined' || this.state === 'ready') { this.load(); return; }
          this.$watch('state', function (value) {
            if (value === 'ready' && self.certState === 'idle') self.load();
          });
        },
        load: function () {
          var self = this;
          this.certState = 'loading';
          getJson('/api/me/certificates').then(function (result) {
            if (result.status === 200 && result.data) {
              self.items = result.data.items || [];
              self.certState = 'ready';
            } else {
              self.certState = 'error';
            }
          });
        },
        get hasCertificates() { return this.certState === 'ready' && this.items.length > 0; },
        get noCertificates() { return this.certState === 'ready' && this.items.length === 0; },
        kindLabel: function (item) { return say(item.kind === 'program' ? 'kind_program' : 'kind_course'); },
        completedLabel: function (item) { return say('completed_on', { date: longDate(item.completed_on) }); },
        statusLabel: function (item) { return say('status_' + item.status); },
        isValid: function (item) { return item.status === 'valid'; },
        statusClass: function (item) { return 'is-' + item.status; },
        canDownload: function (item) { return Boolean(item.download_url); },
        downloadHref: function (item) { return pdfPath(item.id, true); },
        verifyHref: function (item) {
          return (this.$root.dataset.verifyUrl || '/certificates/verify/') + '?id=' + encodeURIComponent(item.id);
        },
        copyLabel: function (item) { return say(this.copiedId === item.id ? 'copied' : 'copy_link'); },
        downloadName: function (item) { return say('download_pdf_of', { title: item.title }); },
        linkedinName: function (item) { return say('linkedin_of', { title: item.title }); },
        copy: function (item, event) {
          var self = this;
          var input = event && event.currentTarget ? event.currentTarget.parentNode.querySelector('input') : null;
          copyText(item.verification_url, input, function () {
            self.copiedId = item.id;
            window.setTimeout(function () { if (self.copiedId === item.id) self.copiedId = ''; }, 2000);
          });
        }
      };
    });

    // My learning: the personal calendar feed (GET /api/me/calendar, POST …/regenerate) and
    // the master classes the student registered for (GET /api/masterclasses).
    Alpine.data('calendarFeed', function () {
      return {
        feedState: 'idle',
        url: '',
        webcal: '',
        confirming: false,
        regenerating: false,
        regenerated: false,
        copied: false,
        feedError: '',
        sessions: [],
        init: function () {
          var self = this;
          if (typeof this.state === 'undefined' || this.state === 'ready') { this.load(); return; }
          this.$watch('state', function (value) {
            if (value === 'ready' && self.feedState === 'idle') self.load();
          });
        },
        load: function () {
          var self = this;
          this.feedState = 'loading';
          getJson('/api/me/calendar').then(function (result) {
            if (result.status === 200 && result.data) {
              self.url = result.data.url;
              self.webcal = result.data.webcal_url;
              self.feedState = 'ready';
            } else {
              self.feedState = 'error';
            }
          });
          getJson('/api/masterclasses').then(function (result) {
            if (result.status !== 200 || !result.data) return;
            self.sessions = (result.data.upcoming || []).filter(function (m) { return m.registered; });
          });
        },
        get ready() { return this.feedState === 'ready'; },
        get hasSessions() { return this.sessions.length > 0; },
        get copyLabel() { return say(this.copied ? 'copied' : 'copy_link'); },
        sessionTime: function (item) { return localMoment(item.start); },
        sessionHref: function (item) {
          return (this.$root.dataset.masterclassesUrl || '/masterclasses/') + encodeURIComponent(item.slug) + '/';
        },
        sessionState: function (item) {
          if (item.phase === 'open' || item.phase === 'live') return say('join_now');
          return '';
        },
        copy: function () {
          var self = this;
          copyText(this.url, this.$refs.feed, function () {
            self.copied = true;
            window.setTimeout(function () { self.copied = false; }, 2000);
          });
        },
        askRegenerate: function () { this.confirming = true; this.regenerated = false; },
        keep: function () { this.confirming = false; },
        regenerate: function () {
          var self = this;
          if (this.regenerating) return;
          this.regenerating = true;
          this.feedError = '';
          sendJson('POST', '/api/me/calendar/regenerate', {}).then(function (result) {
            self.regenerating = false;
            self.confirming = false;
            if (result.ok && result.data) {
              self.url = result.data.url;
              self.webcal = result.data.webcal_url;
              self.regenerated = true;
            } else {
              self.feedError = errorText(result);
            }
          });
        }
      };
    });

    // A master class's page: what the visitor can do now. GET /api/masterclasses/{slug} says
    // the phase, seats left and (signed in) whether they are registered:
    //   visitor          the built page's link (register through sign-in, or checkout)
    //   not registered   "Register for free" (POST …/register) or the checkout link; "Full"
    //   registered       "You are registered", Cancel (two steps) until it starts, then
    //                    "Join the session" (GET …/join) from the join window; the recording
    //                    after the end, when there is one.
    // The phase is recomputed every 15 s from the dates, so the Join button appears on time.
    Alpine.data('masterclassActions', function () {
      return {
        info: null,
        phase: '',
        registered: null,
        busy: false,
        confirming: false,
        message: '',
        error: '',
        joinUrl: '',
        recordingUrl: '',
        timer: null,
        init: function () {
          var self = this;
          this.refresh();
          this.timer = window.setInterval(function () { self.tick(); }, 15000);
        },
        destroy: function () { window.clearInterval(this.timer); },
        refresh: function () {
          var self = this;
          return getJson('/api/masterclasses/' + encodeURIComponent(this.$root.dataset.slug)).then(function (result) {
            if (result.status !== 200 || !result.data) return;
            self.info = result.data;
            self.registered = result.data.registered;
            self.phase = result.data.phase;
            self.fetchLinks();
          });
        },
        tick: function () {
          if (!this.info) return;
          var now = Date.now();
          var phase = 'upcoming';
          if (now >= Date.parse(this.info.end)) phase = 'ended';
          else if (now >= Date.parse(this.info.start)) phase = 'live';
          else if (now >= Date.parse(this.info.join_opens_at)) phase = 'open';
          if (phase !== this.phase) {
            this.phase = phase;
            this.fetchLinks();
          }
        },
        fetchLinks: function () {
          var self = this;
          if (!this.registered || this.phase === 'upcoming') return;
          if (this.phase === 'ended' && !(this.info && this.info.has_recording)) return;
          getJson('/api/masterclasses/' + encodeURIComponent(this.$root.dataset.slug) + '/join').then(function (result) {
            if (result.status !== 200 || !result.data) return;
            self.joinUrl = result.data.join_url || '';
            self.recordingUrl = result.data.recording_url || '';
          });
        },
        get known() { return this.info !== null; },
        // Before the API answers (or without one), the page's `localTime` parent says.
        get over() { return this.known ? this.phase === 'ended' : Boolean(this.ended); },
        get signedIn() { return this.known && this.registered !== null; },
        get isRegistered() { return this.registered === true; },
        get paid() { return this.known && !this.info.free; },
        get full() { return this.known && this.info.seats_left === 0; },
        get hasSeats() { return this.known && this.info.seats_left !== null; },
        get seatsText() {
          if (!this.hasSeats) return '';
          var left = this.info.seats_left;
          if (left === 0) return say('seats_none');
          return say(left === 1 ? 'seats_one' : 'seats_many', { n: left });
        },
        // What to show (only one of these is true at a time).
        /** The built page's link: sign-in for visitors, checkout for a paid master class. */
        get showFallback() {
          if (!this.known) return true;
          if (this.over || this.isRegistered) return false;
          return !this.signedIn || (this.paid && !this.full);
        },
        get showRegister() { return this.signedIn && !this.isRegistered && !this.over && !this.paid && !this.full; },
        get showFull() { return this.signedIn && !this.isRegistered && !this.over && this.full; },
        get showRegistered() { return this.isRegistered; },
        // Paid seats end through a refund, not here.
        get canCancel() { return this.isRegistered && !this.paid && (this.phase === 'upcoming' || this.phase === 'open'); },
        get canJoin() { return this.isRegistered && (this.phase === 'open' || this.phase === 'live') && Boolean(this.joinUrl); },
        get waiting() { return this.isRegistered && this.phase === 'upcoming'; },
        get hasRecording() { return this.isRegistered && this.over && Boolean(this.recordingUrl); },
        get joinOpensText() {
          return this.info ? say('join_opens', { time: localMoment(this.info.join_opens_at) }) : '';
        },
        get signInUrl() { return signInHref(this.$root.dataset.signinUrl); },
        register: function () {
          var self = this;
          if (this.busy) return;
          this.busy = true;
          this.error = '';
          this.message = '';
          sendJson('POST', '/api/masterclasses/' + encodeURIComponent(this.$root.dataset.slug) + '/register', {}).then(function (result) {
            self.busy = false;
            if (result.ok && result.data) {
              self.info = result.data;
              self.registered = true;
              self.phase = result.data.phase;
              self.message = say('registered');
              self.fetchLinks();
            } else if (result.status === 401) {
              window.location.assign(self.signInUrl);
            } else {
              self.error = errorText(result);
              self.refresh();
            }
          });
        },
        askCancel: function () { this.confirming = true; this.message = ''; },
        keep: function () { this.confirming = false; },
        cancel: function () {
          var self = this;
          if (this.busy) return;
          this.busy = true;
          this.error = '';
          sendJson('DELETE', '/api/masterclasses/' + encodeURIComponent(this.$root.dataset.slug) + '/registration', {}).then(function (result) {
            self.busy = false;
            self.confirming = false;
            if (result.ok) {
              self.registered = false;
              self.joinUrl = '';
              self.message = say('cancelled');
              self.refresh();
            } else {
              self.error = errorText(result);
            }
          });
        }
      };
    });
  });
})();
