// The Alpine.js components of the default theme.
//
// Loaded (deferred) BEFORE the Alpine CSP build, so the `alpine:init` listener below is in
// place when Alpine starts. The CSP build evaluates directive expressions with its own small
// parser: markup may only use names, property paths, calls, comparisons and literals, so
// everything else (arrow functions, globals such as `Date` or `JSON`, several statements)
// lives here, in methods and getters. No inline scripts, no eval: the pages work under
// `script-src 'self'`.
//
// Every user-visible string comes from the page (data attributes rendered through gettext),
// so the components are language-neutral.
(function () {
  'use strict';

  // --- helpers -----------------------------------------------------------------------------

  /** Where the API lives: `<meta name="lms-api">`; empty means the site's own origin. */
  function apiBase() {
    var meta = document.querySelector('meta[name="lms-api"]');
    var base = meta ? (meta.getAttribute('content') || '') : '';
    return base.replace(/\/+$/, '');
  }

  function apiUrl(path) {
    return apiBase() + path;
  }

  /** GET a JSON resource of the API with the session cookie. Resolves to {status, data}. */
  function getJson(path) {
    return fetch(apiUrl(path), {
      credentials: 'include',
      headers: { Accept: 'application/json' }
    }).then(function (response) {
      return response.json().then(
        function (data) { return { status: response.status, data: data }; },
        function () { return { status: response.status, data: null }; }
      );
    });
  }

  /**
   * A state-changing call: JSON body (`{}` when there is nothing to send, as the API's CSRF
   * rules want), the session cookie. Never rejects: resolves to {status, ok, data, error},
   * `error` being the API's {code, message, fields} ({code: 'network_error'}, status 0, when
   * the API could not be reached). `keepalive` lets a call outlive the page (pagehide).
   */
  function sendJson(method, path, body, keepalive) {
    return fetch(apiUrl(path), {
      method: method,
      credentials: 'include',
      keepalive: Boolean(keepalive),
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.text().then(function (raw) {
        var data = null;
        if (raw) {
          try { data = JSON.parse(raw); } catch (e) { data = null; }
        }
        var error = null;
        if (!response.ok) {
          error = data && data.error && typeof data.error === 'object'
            ? data.error : { code: 'http_' + response.status, message: '' };
        }
        return { status: response.status, ok: response.ok, data: response.ok ? data : null, error: error };
      });
    }, function () {
      return { status: 0, ok: false, data: null, error: { code: 'network_error', message: '' } };
    });
  }

  /** The learning pages' translated messages: `<script type="application/json" id="learning-messages">`. */
  var learningMessageCache = null;
  function say(key, values) {
    if (learningMessageCache === null) {
      var node = document.getElementById('learning-messages');
      try { learningMessageCache = JSON.parse(node ? node.textContent : '{}') || {}; } catch (e) { learningMessageCache = {}; }
    }
    var text = learningMessageCache[key];
    return text ? fill(text, values || {}) : '';
  }

  /** The sentence to show for a failed call: the page's own words for known codes. */
  function errorText(result) {
    var error = (result && result.error) || {};
    if (result.status === 0) return say('network_error');
    if (error.code && say('error_' + error.code)) return say('error_' + error.code);
    if (error.message) return error.message;
    return say(result.status >= 500 ? 'internal_error' : 'unexpected_error');
  }

  /** Where the sign-in page is, with `next` back to this page. */
  function signInHref(base) {
    var signin = base || '/account/sign-in/';
    var next = window.location.pathname + window.location.search;
    return signin + (signin.indexOf('?') === -1 ? '?' : '&') + 'next=' + encodeURIComponent(next);
  }

  /**
   * Focus an element that x-show is about to reveal. Alpine shows elements on the next
   * animation frame (a timeout in a hidden tab), after $nextTick, so wait for that first.
   */
  function focusWhenShown(pick) {
    var later = document.visibilityState === 'visible' ? window.requestAnimationFrame : window.setTimeout;
    later(function () {
      window.setTimeout(function () {
        var el = pick();
        if (el) el.focus();
      }, 0);
    });
  }

  /** 83 → "1:23"; 3723 → "1:02:03". */
  function clock(seconds) {
    var total = Math.max(0, Math.floor(seconds || 0));
    var h = Math.floor(total / 3600);
    var m = Math.floor((total % 3600) / 60);
    var s = total % 60;
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    return h ? h + ':' + pad(m) + ':' + pad(s) : m + ':' + pad(s);
  }

  /** An API timestamp as a long date in the page's language ('' when missing). */
  function longDate(value) {
    if (!value) return '';
    var text = String(value);
    // A timestamp without a zone is UTC (SQLite hands them back naive).
    if (/T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text)) text += 'Z';
    var date = new Date(text);
    if (isNaN(date.getTime())) return '';
    try {
      return new Intl.DateTimeFormat(pageLang(), { dateStyle: 'long' }).format(date);
    } catch (e) {
      return date.toLocaleDateString();
    }
  }

  /** `{n}`-style placeholders: fill('{n} of {total}', {n: 1, total: 3}). */
  function fill(template, values) {
    return String(template || '').replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  /** Lower case, without accents: "Análisis" matches "analisis". */
  function fold(text) {
    return String(text || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  }

  function pageLang() {
    return document.documentElement.getAttribute('lang') || undefined;
  }

  // The status of a course for the signed-in student, fetched once per page and shared by the
  // components that need it (course actions, syllabus checkmarks, the lesson's progress).
  // Resolves to the JSON object on 200, or null (visitor: 401; unknown course: 404; API
  // down: network error).
  //
  // When it changes (enrolled, left, a lesson completed), `publishStatus` replaces the shared
  // copy and tells every component with a `lms:status` event on `document`
  // (detail: {course, status}). Other scripts (the evaluation page) ask for a fresh copy
  // with a `lms:refresh-status` event (detail: {course}).
  var statusRequests = {};
  function coursePath(slug) {
    return '/api/courses/' + encodeURIComponent(slug || '');
  }

  function courseStatus(slug) {
    if (!slug) return Promise.resolve(null);
    if (!statusRequests[slug]) {
      statusRequests[slug] = getJson(coursePath(slug) + '/status')
        .then(function (result) { return result.status === 200 ? result.data : null; })
        .catch(function () { return null; });
    }
    return statusRequests[slug];
  }

  function publishStatus(slug, status) {
    statusRequests[slug] = Promise.resolve(status);
    document.dispatchEvent(new CustomEvent('lms:status', { detail: { course: slug, status: status } }));
  }

  /** Ask the API again and publish what it says. */
  function refreshStatus(slug) {
    delete statusRequests[slug];
    return courseStatus(slug).then(function (status) {
      publishStatus(slug, status);
      return status;
    });
  }

  /** A lesson (un)completed: the answer's progress replaces the shared status's. */
  function publishProgress(slug, progress) {
    return courseStatus(slug).then(function (status) {
      if (!status) return refreshStatus(slug);
      var next = {};
      Object.keys(status).forEach(function (key) { next[key] = status[key]; });
      next.progress = progress;
      publishStatus(slug, next);
      return next;
    });
  }

  /** Subscribe a component to its course's status changes. */
  function onStatus(slug, callback) {
    document.addEventListener('lms:status', function (event) {
      if (event.detail && event.detail.course === slug) callback(event.detail.status);
    });
  }

  /** POST …/enroll {mode}; the answer (the new status) is published. */
  function enrollIn(slug, mode) {
    return sendJson('POST', coursePath(slug) + '/enroll', { mode: mode }).then(function (result) {
      if (result.ok && result.data) publishStatus(slug, result.data);
      return result;
    });
  }

  /** DELETE …/enrollment; then the status is asked again and published. */
  function leaveCourse(slug) {
    return sendJson('DELETE', coursePath(slug) + '/enrollment', {}).then(function (result) {
      if (result.ok) return refreshStatus(slug).then(function () { return result; });
      return result;
    });
  }

  document.addEventListener('lms:refresh-status', function (event) {
    if (event.detail && event.detail.course) refreshStatus(event.detail.course);
  });

  // Back to a page from the back/forward cache: its progress may be out of date.
  window.addEventListener('pageshow', function (event) {
    if (!event.persisted) return;
    Object.keys(statusRequests).forEach(function (slug) { refreshStatus(slug); });
  });

  /** Lesson ids a status says are done: `completed` at the top level or under `progress`. */
  function completedLessons(status) {
    if (!status) return [];
    var progress = status.progress;
    var list = status.completed || (progress && typeof progress === 'object' ? progress.completed : null);
    return Array.isArray(list) ? list : [];
  }

  /** Percent complete, 0-100, or null when the status does not say. */
  function progressPercent(status) {
    if (!status) return null;
    var progress = status.progress;
    var value = null;
    if (typeof progress === 'number') value = progress;
    else if (progress && typeof progress.percent === 'number') value = progress.percent;
    else if (typeof status.percent === 'number') value = status.percent;
    if (value === null || isNaN(value)) return null;
    if (value > 0 && value <= 1 && !(progress && progress.percent > 1)) {
      // A fraction (0.4) rather than a percent (40): the API may send either.
      value = value * 100;
    }
    return Math.max(0, Math.min(100, Math.round(value)));
  }

  /** The lesson to resume: `next_lesson`, `resume` or `last_lesson`, top level or in progress. */
  function resumeLesson(status) {
    if (!status) return null;
    var sources = [status, status.progress && typeof status.progress === 'object' ? status.progress : {}];
    var keys = ['next_lesson', 'resume', 'last_lesson'];
    for (var i = 0; i < sources.length; i++) {
      for (var k = 0; k < keys.length; k++) {
        var value = sources[i][keys[k]];
        if (value && typeof value === 'object') value = value.id;
        if (typeof value === 'string' && value) return value;
      }
    }
    return null;
  }

  /** Is the lesson done according to a status (or a bare progress object)? */
  function lessonDone(status, lesson) {
    return completedLessons(status).indexOf(lesson) !== -1;
  }

  // Playback positions of a lesson's self-hosted <video> and <audio>: resumed at the second
  // the student left (status.positions), saved with `visit {position}` every ~10 s of
  // playback, on pause and end, and when the page is hidden or left (a keepalive request).
  // Nothing is saved until `enable()`: only enrolled students have positions.
  function MediaTracker(course, lesson) {
    this.path = coursePath(course) + '/lessons/' + encodeURIComponent(lesson || '') + '/visit';
    this.elements = [];
    this.enabled = false;
    this.resumeAt = 0;
    this.lastSent = null;
    this.lastSave = 0;
    this.onResume = null;
    var self = this;
    var flush = function () { self.flush(); };
    window.addEventListener('pagehide', flush);
    document.addEventListener('visibilitychange', function () {
      if (document.visibilityState === 'hidden') flush();
    });
  }

  MediaTracker.prototype.attach = function (root) {
    var self = this;
    var found = (root || document).querySelectorAll('.lesson-body video, .lesson-body audio');
    Array.prototype.forEach.call(found, function (el) {
      if (self.elements.indexOf(el) !== -1) return;
      self.elements.push(el);
      el.addEventListener('play', function () { self.lastSave = Date.now(); });
      el.addEventListener('timeupdate', function () {
        if (!el.paused && Date.now() - self.lastSave >= 10000) self.save(el, false);
      });
      el.addEventListener('pause', function () { if (!el.ended) self.save(el, false); });
      el.addEventListener('ended', function () { self.save(el, false, 0); });
      if (self.enabled) self.seek(el);
    });
  };

  /** Start saving (an enrolled student) and resume at `seconds`. */
  MediaTracker.prototype.enable = function (seconds) {
    this.enabled = true;
    this.resumeAt = seconds > 0 ? seconds : 0;
    this.lastSent = this.resumeAt;
    this.elements.forEach(this.seek, this);
  };

  MediaTracker.prototype.seek = function (el) {
    var self = this;
    var seconds = this.resumeAt;
    if (!(seconds > 1)) return;
    var go = function () {
      if (el.currentTime > 0.5) return; // the student has moved already
      if (isFinite(el.duration) && seconds > el.duration - 3) return; // it had ended
      try { el.currentTime = seconds; } catch (e) { return; }
      if (self.onResume) self.onResume(seconds);
    };
    if (el.readyState >= 1) go(); else el.addEventListener('loadedmetadata', go, { once: true });
  };

  MediaTracker.prototype.save = function (el, keepalive, at) {
    if (!this.enabled) return;
    // At the end the next visit starts over; otherwise the second reached, to a tenth.
    var position = typeof at === 'number' ? at
      : (el.ended ? 0 : Math.round(Math.min(el.currentTime || 0, 86400) * 10) / 10);
    if (position === this.lastSent) return;
    this.lastSent = position;
    this.lastSave = Date.now();
    // A 403 (no longer enrolled) is nothing to tell the student about.
    sendJson('POST', this.path, { position: position }, keepalive);
  };

  MediaTracker.prototype.flush = function () {
    var self = this;
    this.elements.forEach(function (el) {
      if (el.currentTime > 0 || el.ended) self.save(el, true);
    });
  };

  var THEME_KEY = 'theme';

  function storedTheme() {
    try { return localStorage.getItem(THEME_KEY); } catch (e) { return null; }
  }

  // --- components --------------------------------------------------------------------------

  document.addEventListener('alpine:init', function () {
    var Alpine = window.Alpine;

    // Light/dark switch. theme-init.js has already applied the stored (or system) choice
    // before first paint; this keeps the button in step and persists a new choice.
    Alpine.data('themeToggle', function () {
      return {
        theme: 'light',
        init: function () {
          var self = this;
          this.theme = document.documentElement.getAttribute('data-bs-theme') === 'dark' ? 'dark' : 'light';
          if (window.matchMedia) {
            var query = window.matchMedia('(prefers-color-scheme: dark)');
            var follow = function (event) {
              if (!storedTheme()) self.apply(event.matches ? 'dark' : 'light', false);
            };
            if (query.addEventListener) query.addEventListener('change', follow);
          }
        },
        get dark() { return this.theme === 'dark'; },
        get label() {
          return this.dark ? this.$root.dataset.labelLight : this.$root.dataset.labelDark;
        },
        get icon() { return this.dark ? 'bi-sun-fill' : 'bi-moon-stars-fill'; },
        apply: function (theme, persist) {
          this.theme = theme;
          document.documentElement.setAttribute('data-bs-theme', theme);
          if (persist) {
            try { localStorage.setItem(THEME_KEY, theme); } catch (e) { /* storage disabled */ }
          }
        },
        toggle: function () { this.apply(this.dark ? 'light' : 'dark', true); }
      };
    });

    // The course catalog: client-side filters over the JSON the build wrote into
    // #catalog-data, mirrored in the query string (?q=&level=&language=&tag=&price=) so a
    // filtered catalog can be bookmarked and shared.
    Alpine.data('catalog', function () {
      return {
        courses: {},
        query: '',
        level: '',
        language: '',
        tag: '',
        price: '',
        init: function () {
          var self = this;
          var data = document.getElementById('catalog-data');
          var list = [];
          try { list = JSON.parse(data ? data.textContent : '[]') || []; } catch (e) { list = []; }
          list.forEach(function (course) {
            course.search = fold(course.text || '');
            self.courses[course.slug] = course;
          });
          this.readUrl();
          ['query', 'level', 'language', 'tag', 'price'].forEach(function (name) {
            self.$watch(name, function () { self.writeUrl(); });
          });
          window.addEventListener('popstate', function () { self.readUrl(); });
        },
        readUrl: function () {
          // Only values the catalog can show are taken: a shared link to a renamed topic
          // (or a mistyped level) must not leave the select on "Any" while nothing matches.
          var params = new URLSearchParams(window.location.search);
          this.query = params.get('q') || '';
          this.level = this.known('level', params.get('level'));
          this.language = this.known('language', params.get('language'));
          this.tag = this.known('tags', params.get('tag'));
          var price = params.get('price') || '';
          this.price = price === 'free' || price === 'paid' ? price : '';
        },
        known: function (field, value) {
          if (!value) return '';
          var self = this;
          return Object.keys(this.courses).some(function (slug) {
            var have = self.courses[slug][field];
            return Array.isArray(have) ? have.indexOf(value) !== -1 : have === value;
          }) ? value : '';
        },
        writeUrl: function () {
          var params = new URLSearchParams(window.location.search);
          var values = { q: this.query.trim(), level: this.level, language: this.language, tag: this.tag, price: this.price };
          Object.keys(values).forEach(function (key) {
            if (values[key]) params.set(key, values[key]); else params.delete(key);
          });
          var search = params.toString();
          var target = window.location.pathname + (search ? '?' + search : '') + window.location.hash;
          if (target !== window.location.pathname + window.location.search + window.location.hash) {
            window.history.replaceState(window.history.state, '', target);
          }
        },
        matches: function (course) {
          if (!course) return true; // not in the data: never hide what the build showed
          if (this.level && course.level !== this.level) return false;
          if (this.language && course.language !== this.language) return false;
          if (this.tag && (course.tags || []).indexOf(this.tag) === -1) return false;
          if (this.price === 'free' && !course.free) return false;
          if (this.price === 'paid' && course.free) return false;
          var words = fold(this.query).split(/\s+/).filter(Boolean);
          var haystack = course.search + ' ' + fold((course.tags || []).join(' '));
          return words.every(function (word) { return haystack.indexOf(word) !== -1; });
        },
        visible: function (slug) { return this.matches(this.courses[slug]); },
        get count() {
          var self = this;
          return Object.keys(this.courses).filter(function (slug) { return self.visible(slug); }).length;
        },
        get countLabel() {
          var el = this.$root.querySelector('.course-count');
          var n = this.count;
          if (!el) return String(n);
          return fill(n === 1 ? el.dataset.one : el.dataset.many, { n: n });
        },
        get activeCount() {
          return [this.query.trim(), this.level, this.language, this.tag, this.price].filter(Boolean).length;
        },
        reset: function () {
          this.query = '';
          this.level = '';
          this.language = '';
          this.tag = '';
          this.price = '';
        }
      };
    });

    // A YouTube/Vimeo "facade": a poster and a play button; the player iframe is created
    // only on click, so nothing is requested from the video host before that. (The CSP build
    // refuses bindings on <iframe>, so the iframe is built here.)
    Alpine.data('videoFacade', function () {
      return {
        playing: false,
        src: '',
        title: '',
        init: function () {
          this.title = this.$root.dataset.title || '';
        },
        play: function () {
          if (this.playing) return;
          var embed = this.$root.dataset.embed || '';
          if (!/^https:\/\//.test(embed)) return;
          var frame = document.createElement('iframe');
          frame.src = embed;
          frame.title = this.title;
          frame.allow = 'autoplay; encrypted-media; picture-in-picture; fullscreen';
          frame.referrerPolicy = 'strict-origin-when-cross-origin';
          this.$refs.player.appendChild(frame);
          this.src = embed;
          this.playing = true;
          frame.focus();
        }
      };
    });

    // A slide deck: without JavaScript every slide is shown, one after the other; with it,
    // one slide at a time (`.is-ready` on the deck, `.is-active` on the current slide).
    Alpine.data('slideDeck', function () {
      return {
        ready: false,
        index: 0,
        total: 0,
        init: function () {
          this.total = this.slides().length;
          if (!this.total) return;
          var start = 0;
          var match = /^#slide-(\d+)$/.exec(window.location.hash);
          if (match) start = Math.min(this.total - 1, Math.max(0, parseInt(match[1], 10) - 1));
          this.show(start);
          this.$root.classList.add('is-ready');
          this.ready = true;
        },
        slides: function () { return this.$root.querySelectorAll('.slide'); },
        show: function (index) {
          var slides = this.slides();
          if (!slides.length) return;
          this.index = Math.max(0, Math.min(slides.length - 1, index));
          for (var i = 0; i < slides.length; i++) {
            var active = i === this.index;
            slides[i].classList.toggle('is-active', active);
            if (active) slides[i].removeAttribute('aria-hidden'); else slides[i].setAttribute('aria-hidden', 'true');
          }
        },
        get atStart() { return this.index <= 0; },
        get atEnd() { return this.index >= this.total - 1; },
        get counter() {
          return fill(this.$root.dataset.counter || '{n} / {total}', { n: this.index + 1, total: this.total });
        },
        get progressStyle() {
          var percent = this.total ? ((this.index + 1) / this.total) * 100 : 0;
          return { width: percent + '%' };
        },
        next: function () { if (!this.atEnd) this.show(this.index + 1); },
        previous: function () { if (!this.atStart) this.show(this.index - 1); }
      };
    });

    // "Copy link": the Clipboard API, or selecting the text and execCommand('copy') where
    // the API is missing (plain http, old browsers). The label says "Copied" for 2 seconds.
    Alpine.data('copyLink', function () {
      return {
        copied: false,
        timer: null,
        get label() {
          return this.copied ? (this.$root.dataset.copied || 'Copied') : (this.$root.dataset.label || 'Copy link');
        },
        copy: function () {
          var self = this;
          var input = this.$refs.link;
          var text = input ? input.value : window.location.href;
          var done = function () {
            self.copied = true;
            window.clearTimeout(self.timer);
            self.timer = window.setTimeout(function () { self.copied = false; }, 2000);
          };
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
      };
    });

    // The course page's call to action. The built page shows the visitor's buttons (enroll
    // through sign-in, buy, preview, audit); the API's status (GET …/status) turns them into:
    //   state 'guest'    signed in, not enrolled: "Enroll for free" / "Audit this course"
    //                    buttons calling POST …/enroll (or Buy for a paid course; "full");
    //   state 'enrolled' progress bar, "Start/Continue learning" (the lesson to resume),
    //                    "Course completed" once done, and "Leave this course" (two steps)
    //                    for free and audit enrollments.
    // 401/404/errors keep the visitor's buttons (state 'visitor').
    Alpine.data('courseActions', function () {
      return {
        course: '',
        free: false,
        state: 'visitor',
        enrolled: false,
        mode: null,
        progress: null,
        complete: false,
        completedAt: '',
        started: false,
        nextLesson: null,
        canEnroll: false,
        canAudit: false,
        full: false,
        pending: false,
        confirmLeave: false,
        error: '',
        notice: '',
        status: null,
        init: function () {
          var self = this;
          var data = this.$root.dataset;
          this.course = data.course || '';
          this.free = data.free === 'true';
          onStatus(this.course, function (status) { self.apply(status); });
          courseStatus(this.course).then(function (status) { self.apply(status); });
        },
        apply: function (status) {
          this.status = status;
          if (!status) {
            this.state = 'visitor';
            this.enrolled = false;
            return;
          }
          var progress = status.progress && typeof status.progress === 'object' ? status.progress : {};
          this.enrolled = status.enrolled === true;
          this.state = this.enrolled ? 'enrolled' : 'guest';
          this.mode = status.mode || null;
          this.progress = progressPercent(status);
          this.complete = Boolean(progress.complete);
          this.completedAt = longDate(progress.completed_at);
          this.started = completedLessons(status).length > 0 || Boolean(progress.last_lesson);
          this.nextLesson = resumeLesson(status);
          this.canEnroll = Boolean(status.can_enroll);
          this.canAudit = Boolean(status.can_audit);
          this.full = !this.enrolled && status.seats_left === 0;
          if (!this.enrolled) this.confirmLeave = false;
        },
        get progressKnown() { return this.progress !== null; },
        get progressLabel() {
          return fill(this.$root.dataset.progressLabel || '{percent}%', { percent: this.progress || 0 });
        },
        get progressStyle() { return { width: (this.progress || 0) + '%' }; },
        get auditing() { return this.mode === 'audit'; },
        get canLeave() { return this.enrolled && (this.mode === 'free' || this.mode === 'audit'); },
        get paidUpgrade() { return this.auditing && !this.free; },
        get continueHref() {
          var lesson = this.complete ? this.$root.dataset.firstLesson : this.nextLesson;
          lesson = lesson || this.$root.dataset.firstLesson || '';
          var base = this.$root.dataset.lessonUrl || '';
          return lesson ? base + encodeURIComponent(lesson) + '/' : base;
        },
        /** The title of the lesson to resume, from the syllabus on the page. */
        get resumeTitle() {
          if (!this.nextLesson || this.complete || !this.started) return '';
          var link = document.querySelector('.syllabus-lesson[data-lesson-id="' +
            String(this.nextLesson).replace(/["\\]/g, '') + '"] a');
          return link ? link.textContent.trim() : '';
        },
        get completedLabel() {
          return this.completedAt ? say('completed_on', { date: this.completedAt }) : '';
        },
        get signinHref() { return signInHref(this.$root.dataset.signinUrl); },
        enroll: function (mode) {
          if (this.pending) return;
          var self = this;
          this.pending = true;
          this.error = '';
          this.notice = '';
          enrollIn(this.course, mode).then(function (result) {
            self.pending = false;
            if (!result.ok) {
              self.error = errorText(result);
              if (result.error && result.error.code === 'course_full') self.full = true;
              return;
            }
            self.notice = say(mode === 'audit' ? 'audit_started' : 'enrolled');
            focusWhenShown(function () { return self.$refs.start; });
          });
        },
        askLeave: function () {
          var self = this;
          this.confirmLeave = true;
          focusWhenShown(function () { return self.$refs.leaveNo; });
        },
        cancelLeave: function () {
          var self = this;
          this.confirmLeave = false;
          focusWhenShown(function () { return self.$refs.leave; });
        },
        leave: function () {
          if (this.pending) return;
          var self = this;
          this.pending = true;
          this.error = '';
          this.notice = '';
          leaveCourse(this.course).then(function (result) {
            self.pending = false;
            if (!result.ok) {
              self.error = errorText(result);
              return;
            }
            self.confirmLeave = false;
            self.notice = say('left');
            focusWhenShown(function () {
              return (self.canEnroll ? self.$refs.enroll : (self.canAudit ? self.$refs.audit : null)) || self.$root;
            });
          });
        }
      };
    });

    // Checkmarks in a syllabus: shown for the lessons the student has completed, and kept in
    // step when a lesson is (un)completed on the page.
    Alpine.data('syllabusProgress', function () {
      return {
        init: function () {
          var root = this.$root;
          var slug = root.dataset.course;
          var mark = function (status) {
            var done = completedLessons(status);
            // Enrolled: the padlocks of gated lessons no longer apply.
            root.classList.toggle('is-enrolled', Boolean(status && status.enrolled));
            var items = root.querySelectorAll('.syllabus-lesson[data-lesson-id]');
            Array.prototype.forEach.call(items, function (item) {
              var isDone = done.indexOf(item.getAttribute('data-lesson-id')) !== -1;
              item.classList.toggle('is-done', isDone);
              var check = item.querySelector('.syllabus-done');
              if (check) check.hidden = !isDone;
            });
          };
          onStatus(slug, mark);
          courseStatus(slug).then(mark);
        }
      };
    });

    // The student's progress in the course, in the lesson page's sidebar (enrolled only).
    Alpine.data('courseProgress', function () {
      return {
        known: false,
        percent: 0,
        complete: false,
        init: function () {
          var self = this;
          var slug = this.$root.dataset.course;
          var apply = function (status) {
            self.known = Boolean(status && status.enrolled);
            self.percent = progressPercent(status) || 0;
            self.complete = Boolean(status && status.progress && status.progress.complete);
          };
          onStatus(slug, apply);
          courseStatus(slug).then(apply);
        },
        get label() { return fill(this.$root.dataset.progressLabel || '{percent}%', { percent: this.percent }); },
        get barStyle() { return { width: this.percent + '%' }; }
      };
    });

    // A lesson for the student: "Mark as complete" / "Completed (undo)" (not on evaluation
    // lessons: those complete by passing), the next lesson once done, the visit that makes
    // "resume" work, and the playback position of video and audio lessons.
    // state: loading → visitor (signed out) | guest (signed in, not enrolled) | enrolled
    Alpine.data('lessonProgress', function () {
      var tracker = null;
      return {
        course: '',
        lesson: '',
        evaluation: false,
        state: 'loading',
        completed: false,
        courseComplete: false,
        finishedNow: false,
        percent: 0,
        canEnroll: false,
        full: false,
        pending: false,
        error: '',
        notice: '',
        resumedAt: '',
        visited: false,
        init: function () {
          var self = this;
          var data = this.$root.dataset;
          this.course = data.course || '';
          this.lesson = data.lesson || '';
          this.evaluation = data.evaluation === 'true';
          tracker = new MediaTracker(this.course, this.lesson);
          tracker.onResume = function (seconds) { self.resumedAt = say('resumed_at', { time: clock(seconds) }); };
          tracker.attach(document);
          // A gated lesson's body (and its <video>/<audio>) arrives later.
          document.addEventListener('lms:lesson-ready', function () { tracker.attach(document); });
          onStatus(this.course, function (status) { self.apply(status); });
          courseStatus(this.course).then(function (status) { self.apply(status); });
        },
        apply: function (status) {
          if (!status) {
            this.state = 'visitor';
            return;
          }
          var progress = status.progress && typeof status.progress === 'object' ? status.progress : {};
          this.state = status.enrolled ? 'enrolled' : 'guest';
          this.completed = lessonDone(status, this.lesson);
          this.courseComplete = Boolean(progress.complete);
          this.percent = progressPercent(status) || 0;
          this.canEnroll = Boolean(status.can_enroll);
          this.full = !status.enrolled && status.seats_left === 0;
          // Auditors may not open evaluations: nothing to record there.
          var excluded = this.evaluation && status.mode === 'audit';
          if (status.enrolled && !excluded && !this.visited) {
            this.visited = true;
            // "Resume" opens this lesson next time; a 403 (not enrolled) is ignored.
            sendJson('POST', coursePath(this.course) + '/lessons/' + encodeURIComponent(this.lesson) + '/visit', {});
            var positions = status.positions || {};
            tracker.enable(Number(positions[this.lesson]) || 0);
          }
        },
        get enrolled() { return this.state === 'enrolled'; },
        get showToggle() { return this.enrolled && !this.evaluation; },
        get signinHref() { return signInHref(this.$root.dataset.signinUrl); },
        toggle: function () {
          if (this.pending) return;
          var self = this;
          var completing = !this.completed;
          this.pending = true;
          this.error = '';
          var path = coursePath(this.course) + '/lessons/' + encodeURIComponent(this.lesson) + '/complete';
          sendJson(completing ? 'POST' : 'DELETE', path, {}).then(function (result) {
            self.pending = false;
            if (!result.ok || !result.data) {
              self.error = errorText(result);
              return;
            }
            var answer = result.data;
            self.completed = answer.completed === true;
            if (answer.course_completed_now) self.finishedNow = true;
            var percent = answer.progress ? progressPercent({ progress: answer.progress }) || 0 : self.percent;
            self.notice = say(self.completed ? 'marked_complete' : 'marked_incomplete', { percent: percent });
            if (answer.progress) publishProgress(self.course, answer.progress);
          });
        },
        enroll: function () {
          if (this.pending) return;
          var self = this;
          this.pending = true;
          this.error = '';
          enrollIn(this.course, 'free').then(function (result) {
            self.pending = false;
            if (!result.ok) {
              self.error = errorText(result);
              return;
            }
            self.notice = say('enrolled');
            focusWhenShown(function () { return self.$refs.toggle; });
          });
        }
      };
    });

    // The static shell of a gated lesson: its body comes from the API, for students who may
    // read it. States: loading → ready | signin (401) | enroll | audit (403) | error.
    // In a free course, "Enroll for free" enrolls right here and the body loads.
    Alpine.data('gatedLesson', function () {
      return {
        state: 'loading',
        message: '',
        signinHref: '',
        enrolling: false,
        enrollError: '',
        init: function () {
          var self = this;
          var data = this.$root.dataset;
          this.signinHref = signInHref(data.signinUrl);
          onStatus(data.course, function (status) {
            if (status && status.enrolled && (self.state === 'enroll' || self.state === 'audit')) self.load();
          });
          this.load();
        },
        load: function () {
          var self = this;
          var data = this.$root.dataset;
          var generic = data.errorMessage || '';
          this.state = 'loading';
          this.message = '';
          var path = coursePath(data.course) + '/lessons/' + encodeURIComponent(data.lesson || '');
          getJson(path).then(function (result) {
            var body = result.data || {};
            if (result.status === 200 && typeof body.html === 'string') {
              // Trusted HTML: the build rendered it; the API only hands it to entitled users.
              self.$refs.body.innerHTML = body.html;
              self.state = 'ready';
              document.dispatchEvent(new CustomEvent('lms:lesson-ready', { detail: { course: data.course, lesson: data.lesson } }));
              window.setTimeout(function () { focusableScrollers(self.$refs.body); }, 50);
            } else if (result.status === 401) {
              self.state = 'signin';
            } else if (result.status === 403) {
              var error = body.error || {};
              if (error.code === 'not_enrolled') self.state = 'enroll';
              else if (error.code === 'audit_excluded') self.state = 'audit';
              else { self.message = error.message || generic; self.state = 'error'; }
            } else {
              self.message = generic;
              self.state = 'error';
            }
          }).catch(function () {
            self.message = generic;
            self.state = 'error';
          });
        },
        enroll: function () {
          if (this.enrolling) return;
          var self = this;
          this.enrolling = true;
          this.enrollError = '';
          // On success the published status reloads the body (see init).
          enrollIn(this.$root.dataset.course, 'free').then(function (result) {
            self.enrolling = false;
            if (!result.ok) self.enrollError = errorText(result);
          });
        }
      };
    });

    // /account/learning/: the student's courses (GET /api/me/courses) with progress, the
    // lesson to resume and evaluation results. Signed out (401) → sign-in, back here after.
    // state: loading → ready | redirecting | error
    Alpine.data('myLearning', function () {
      return {
        state: 'loading',
        courses: [],
        unavailable: [],
        init: function () { this.load(); },
        load: function () {
          var self = this;
          this.state = 'loading';
          getJson('/api/me/courses').then(function (result) {
            if (result.status === 200 && result.data) {
              self.courses = Array.isArray(result.data.courses) ? result.data.courses : [];
              self.unavailable = Array.isArray(result.data.unavailable) ? result.data.unavailable : [];
              self.state = 'ready';
            } else if (result.status === 401) {
              self.state = 'redirecting';
              try { window.localStorage.removeItem('lmsSignedIn'); } catch (e) { /* storage disabled */ }
              window.location.replace(signInHref(self.$root.dataset.signinUrl));
            } else {
              self.state = 'error';
            }
          }).catch(function () { self.state = 'error'; });
        },
        get empty() { return this.state === 'ready' && this.courses.length === 0; },
        get inProgress() { return this.courses.filter(function (c) { return !c.complete; }); },
        get finished() { return this.courses.filter(function (c) { return c.complete; }); },
        get hasUnavailable() { return this.unavailable.length > 0; },
        get unavailableText() { return say('unavailable', { courses: this.unavailable.join(', ') }); },
        courseHref: function (course) {
          return (this.$root.dataset.coursesUrl || '/courses/') + encodeURIComponent(course.slug) + '/';
        },
        lessonHref: function (course, lesson) {
          return this.courseHref(course) + encodeURIComponent(lesson || '') + '/';
        },
        resumeHref: function (course) { return this.lessonHref(course, course.next_lesson); },
        resumeLabel: function (course) {
          var fresh = !course.last_visited_at && !course.lessons_done;
          return say(fresh ? 'start_lesson' : 'resume_lesson', { title: course.next_lesson_title || '' });
        },
        canResume: function (course) { return !course.complete && Boolean(course.next_lesson); },
        percentLabel: function (course) { return say('percent', { percent: course.percent || 0 }); },
        barStyle: function (course) { return { width: Math.max(0, Math.min(100, course.percent || 0)) + '%' }; },
        progressName: function (course) { return say('progress_in', { title: course.title }); },
        lessonsLabel: function (course) {
          return say(course.lessons_total === 1 ? 'lessons_done_one' : 'lessons_done_many',
            { done: course.lessons_done || 0, total: course.lessons_total || 0 });
        },
        enrolledLabel: function (course) {
          var date = longDate(course.enrolled_at);
          return date ? say('enrolled_on', { date: date }) : '';
        },
        completedLabel: function (course) {
          var date = longDate(course.completed_at);
          return date ? say('completed_on', { date: date }) : say('completed');
        },
        auditing: function (course) { return course.mode === 'audit'; },
        hasEvaluations: function (course) { return Array.isArray(course.evaluations) && course.evaluations.length > 0; },
        evaluationState: function (ev) {
          if (ev.passed) return say('evaluation_passed');
          if (ev.pending) return say('evaluation_pending');
          if (ev.in_progress && ev.score === null) return say('evaluation_in_progress');
          return say('evaluation_not_passed');
        },
        evaluationClass: function (ev) {
          if (ev.passed) return 'is-passed';
          if (ev.pending || (ev.in_progress && ev.score === null)) return 'is-pending';
          return 'is-failed';
        },
        evaluationScore: function (ev) {
          var parts = [];
          if (ev.score !== null && ev.score !== undefined) {
            parts.push(say('score', { score: String(Math.round(Number(ev.score) * 10) / 10) }));
          }
          parts.push(say(ev.attempts_used === 1 ? 'attempts_one' : 'attempts_many', { n: ev.attempts_used || 0 }));
          return parts.join(' · ');
        }
      };
    });

    // A master class's time in the visitor's own time zone. Reads the <time datetime="…">
    // elements inside it (start, and optionally end, in UTC ISO 8601) and exposes `text`
    // ("Thursday, December 10, 2026, 7:00 PM – 8:30 PM"), `zoneLabel`, `sameZone` (the
    // visitor is in the event's `data-zone`) and `ended` (the end is in the past).
    Alpine.data('localTime', function () {
      return {
        ready: false,
        text: '',
        zone: '',
        sameZone: false,
        started: false,
        ended: false,
        init: function () {
          var times = this.$root.querySelectorAll('time[datetime]');
          if (!times.length || !window.Intl || !Intl.DateTimeFormat) return;
          var start = new Date(times[0].getAttribute('datetime'));
          var end = times.length > 1 ? new Date(times[times.length - 1].getAttribute('datetime')) : null;
          if (isNaN(start.getTime())) return;
          if (end && isNaN(end.getTime())) end = null;
          var now = Date.now();
          this.started = start.getTime() <= now;
          this.ended = (end || start).getTime() < now;
          var lang = pageLang();
          var style = this.$root.dataset.style === 'short' ? 'medium' : 'full';
          var zone = '';
          try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ''; } catch (e) { zone = ''; }
          this.zone = zone;
          this.sameZone = !!zone && zone === this.$root.dataset.zone;
          try {
            var full = new Intl.DateTimeFormat(lang, { dateStyle: style, timeStyle: 'short' });
            var timeOnly = new Intl.DateTimeFormat(lang, { timeStyle: 'short' });
            var day = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit' });
            var text = full.format(start);
            if (end) {
              text += ' – ' + (day.format(start) === day.format(end) ? timeOnly.format(end) : full.format(end));
            }
            this.text = text;
          } catch (e) {
            this.text = start.toLocaleString();
          }
          this.ready = true;
        },
        get zoneLabel() { return this.zone ? '(' + this.zone.replace(/_/g, ' ') + ')' : ''; }
      };
    });
  });

  // Wide tables and code blocks in rendered Markdown scroll sideways (see .prose table and
  // .highlight pre in site.css); a scrollable region must be reachable with the keyboard,
  // so those that overflow get tabindex=0.
  function focusableScrollers(root) {
    var tables = (root || document).querySelectorAll('.prose table, .prose pre');
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      if (table.scrollWidth > table.clientWidth + 1) table.setAttribute('tabindex', '0');
      else if (table.getAttribute('tabindex') === '0') table.removeAttribute('tabindex');
    }
  }
  document.addEventListener('DOMContentLoaded', function () {
    focusableScrollers(document);
    var pending = null;
    window.addEventListener('resize', function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () { focusableScrollers(document); }, 200);
    });
  });

  // AdSense slots (only rendered when LMS_ADSENSE_CLIENT is set, on free pages): ask the ad
  // script to fill each one. Kept here because inline scripts are not allowed.
  document.addEventListener('DOMContentLoaded', function () {
    var slots = document.querySelectorAll('ins.adsbygoogle');
    if (!slots.length) return;
    window.adsbygoogle = window.adsbygoogle || [];
    for (var i = 0; i < slots.length; i++) window.adsbygoogle.push({});
  });
})();
