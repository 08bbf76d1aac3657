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
  // components that need it (course actions, syllabus checkmarks). Resolves to the JSON
  // object on 200, or null (visitor: 401; unknown course: 404; API down: network error).
  var statusRequests = {};
  function courseStatus(slug) {
    if (!slug) return Promise.resolve(null);
    if (!statusRequests[slug]) {
      statusRequests[slug] = getJson('/api/courses/' + encodeURIComponent(slug) + '/status')
        .then(function (result) { return result.status === 200 ? result.data : null; })
        .catch(function () { return null; });
    }
    return statusRequests[slug];
  }

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

    // The course page's call to action. The built page shows the visitor's buttons (start,
    // buy, preview, audit); for a signed-in, enrolled student the API's status turns them
    // into "Continue learning" with a progress bar. 401/404/errors keep the static buttons.
    //
    // Expected 200 body of GET /api/courses/{slug}/status (extra fields are ignored):
    //   {"enrolled": true, "progress": {"percent": 40, "completed": ["welcome"],
    //    "next_lesson": "loops"}}
    Alpine.data('courseActions', function () {
      return {
        course: '',
        free: false,
        audit: false,
        enrolled: false,
        progress: null,
        nextLesson: null,
        status: null,
        init: function () {
          var self = this;
          var data = this.$root.dataset;
          this.course = data.course || '';
          this.free = data.free === 'true';
          this.audit = data.audit === 'true';
          courseStatus(this.course).then(function (status) {
            if (!status) return;
            self.status = status;
            self.enrolled = status.enrolled !== false;
            self.progress = progressPercent(status);
            self.nextLesson = resumeLesson(status);
          });
        },
        get progressKnown() { return this.progress !== null; },
        get progressLabel() {
          return fill(this.$root.dataset.progressLabel || '{percent}%', { percent: this.progress || 0 });
        },
        get progressStyle() { return { width: (this.progress || 0) + '%' }; },
        get continueHref() {
          var lesson = this.nextLesson || this.$root.dataset.firstLesson || '';
          var base = this.$root.dataset.lessonUrl || '';
          return lesson ? base + encodeURIComponent(lesson) + '/' : base;
        }
      };
    });

    // Checkmarks in a syllabus: shown for the lessons the student has completed.
    Alpine.data('syllabusProgress', function () {
      return {
        init: function () {
          var root = this.$root;
          courseStatus(root.dataset.course).then(function (status) {
            var done = completedLessons(status);
            done.forEach(function (id) {
              var item = root.querySelector('.syllabus-lesson[data-lesson-id="' + String(id).replace(/["\\]/g, '') + '"]');
              if (!item) return;
              item.classList.add('is-done');
              var mark = item.querySelector('.syllabus-done');
              if (mark) mark.hidden = false;
            });
          });
        }
      };
    });

    // The static shell of a gated lesson: its body comes from the API, for students who may
    // read it. States: loading → ready | signin (401) | enroll | audit (403) | error.
    Alpine.data('gatedLesson', function () {
      return {
        state: 'loading',
        message: '',
        signinHref: '',
        init: function () {
          var data = this.$root.dataset;
          var next = window.location.pathname + window.location.search;
          var signin = data.signinUrl || '/account/sign-in/';
          this.signinHref = signin + (signin.indexOf('?') === -1 ? '?' : '&') + 'next=' + encodeURIComponent(next);
          this.load();
        },
        load: function () {
          var self = this;
          var data = this.$root.dataset;
          var generic = data.errorMessage || '';
          this.state = 'loading';
          this.message = '';
          var path = '/api/courses/' + encodeURIComponent(data.course || '') +
            '/lessons/' + encodeURIComponent(data.lesson || '');
          getJson(path).then(function (result) {
            var body = result.data || {};
            if (result.status === 200 && typeof body.html === 'string') {
              // Trusted HTML: the build rendered it; the API only hands it to entitled users.
              self.$refs.body.innerHTML = body.html;
              self.state = 'ready';
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
