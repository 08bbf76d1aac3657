// The account area: the navbar's account menu (every page) and the forms of the /account/…
// pages, calling the accounts API (docs/accounts.md, "What the front end must do").
//
// Loaded (deferred) after app.js and BEFORE the Alpine CSP build, so the `alpine:init`
// listener is in place when Alpine starts. Same rules as app.js: markup only uses names,
// paths, calls, comparisons and literals; no inline scripts, no eval; every user-visible
// string comes from the page (the `#account-messages` JSON block and data attributes,
// rendered through gettext).
//
// Who is signed in: the session cookie is HttpOnly, so only `GET /api/me` knows. To spare
// anonymous visitors a request (and the console error Chromium logs for its 401) on every
// page, the navbar asks only when `localStorage.lmsSignedIn` is set: by a successful sign-in,
// cleared by sign-out, account deletion, a password reset and any 401 from `/api/me` (a
// stale flag: the session expired or was revoked elsewhere). The settings page always asks.
(function () {
  'use strict';

  var SIGNED_IN_KEY = 'lmsSignedIn';
  var SIGNED_IN_CLASS = 'lms-signed-in'; // on <html> before first paint (theme-init.js)

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

  /** `{name}` placeholders: fill('Sent to {email}.', {email: 'a@b.c'}). */
  function fill(template, values) {
    return String(template || '').replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function hasSignedInHint() {
    try { return window.localStorage.getItem(SIGNED_IN_KEY) === '1'; } catch (e) { return false; }
  }

  function setSignedInHint(on) {
    try {
      if (on) window.localStorage.setItem(SIGNED_IN_KEY, '1');
      else window.localStorage.removeItem(SIGNED_IN_KEY);
    } catch (e) { /* storage disabled: the navbar then shows "Sign in" */ }
  }

  /**
   * The page's translated messages in `<script type="application/json" id="…">`, read once:
   * `sayFrom('account-messages')('saved')`, with `{name}` placeholders filled.
   */
  function sayFrom(id) {
    var cache = null;
    return function (key, values) {
      if (cache === null) {
        var node = document.getElementById(id);
        try { cache = JSON.parse(node ? node.textContent : '{}') || {}; } catch (e) { cache = {}; }
      }
      var text = cache[key];
      return text ? fill(text, values || {}) : '';
    };
  }

  var say = sayFrom('account-messages');

  /** Seconds to wait from a `Retry-After` header (seconds, or an HTTP date), or null. */
  function retryAfterSeconds(value) {
    if (!value) return null;
    if (/^\s*\d+\s*$/.test(value)) return parseInt(value, 10);
    var when = Date.parse(value);
    return isNaN(when) ? null : Math.max(0, Math.ceil((when - Date.now()) / 1000));
  }

  /** "in 30 seconds", "in 2 minutes", in the page's language. */
  function waitPhrase(seconds) {
    var value = seconds;
    var unit = 'second';
    if (seconds >= 90 * 60) { value = Math.ceil(seconds / 3600); unit = 'hour'; }
    else if (seconds >= 90) { value = Math.ceil(seconds / 60); unit = 'minute'; }
    try {
      return new Intl.RelativeTimeFormat(pageLang(), { numeric: 'always' }).format(value, unit);
    } catch (e) {
      return value + ' ' + unit + (value === 1 ? '' : 's');
    }
  }

  /**
   * Call the API with the session cookie; JSON in, JSON out. Never rejects: resolves to
   * `{status, ok, data, error, retryAfter}`, where `error` is the API's `{code, message,
   * fields}` (or `{code: 'network_error'}` when the API could not be reached; status 0).
   */
  function api(method, path, body) {
    var options = { method: method, credentials: 'include', headers: { Accept: 'application/json' } };
    if (method !== 'GET') {
      options.headers['Content-Type'] = 'application/json';
      options.body = JSON.stringify(body || {});
    }
    return fetch(apiBase() + path, options).then(function (response) {
      var retry = retryAfterSeconds(response.headers.get('Retry-After'));
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
        return { status: response.status, ok: response.ok, data: response.ok ? data : null, error: error, retryAfter: retry };
      });
    }, function () {
      return { status: 0, ok: false, data: null, error: { code: 'network_error', message: '' }, retryAfter: null };
    });
  }

  /**
   * Where to go after signing in: `?next=` when it is a path of this site, else `fallback`.
   * Only a root-relative path is taken ("/courses/x/?a=1#b"): never an absolute or
   * protocol-relative URL ("https://evil.example", "//evil.example", "/\\evil.example"), so
   * the sign-in page cannot be used to send people to another site.
   */
  function safeNext(raw, fallback) {
    if (typeof raw !== 'string' || raw.charAt(0) !== '/') return fallback;
    if (raw.charAt(1) === '/' || raw.indexOf('\\') !== -1) return fallback;
    if (/[\u0000-\u0020\u007f]/.test(raw)) return fallback; // the URL parser drops tabs, newlines
    var url;
    try { url = new URL(raw, window.location.origin); } catch (e) { return fallback; }
    if (url.origin !== window.location.origin) return fallback;
    if (/\/account\/(sign-in|sign-up)\/$/.test(url.pathname)) return fallback; // no loops
    return url.pathname + url.search + url.hash;
  }

  function queryParam(name) {
    return new URLSearchParams(window.location.search).get(name);
  }

  /** Drop a one-time token from the address bar (it stays out of history and bookmarks). */
  function forgetQuery() {
    if (window.location.search) {
      window.history.replaceState(window.history.state, '', window.location.pathname + window.location.hash);
    }
  }

  /** Copy own properties, getters included (Object.assign would call the getters). */
  function mixin(target, source) {
    Object.getOwnPropertyNames(source || {}).forEach(function (key) {
      Object.defineProperty(target, key, Object.getOwnPropertyDescriptor(source, key));
    });
    return target;
  }

  function copy(values) {
    var out = {};
    Object.keys(values || {}).forEach(function (key) { out[key] = values[key]; });
    return out;
  }

  // --- the signed-in user, shared by the navbar and the pages --------------------------------

  function store() {
    return window.Alpine.store('account');
  }

  var meRequest = null;

  /** `GET /api/me`, at most once per page. Resolves to the API result; updates the store. */
  function loadMe() {
    if (!meRequest) {
      store().state = 'unknown';
      meRequest = api('GET', '/api/me').then(function (result) {
        if (result.ok && result.data) {
          signedIn(result.data);
        } else if (result.status === 401) {
          signedOut();
        } else {
          store().state = 'offline'; // API down or broken: keep the hint, show "Sign in"
        }
        return result;
      });
    }
    return meRequest;
  }

  function signedIn(user) {
    setSignedInHint(true);
    store().user = user;
    store().state = 'signed-in';
  }

  function signedOut() {
    setSignedInHint(false);
    store().user = null;
    store().state = 'anonymous';
  }

  /** The site's URLs (`data-signin-url`, `data-home-url`) from the navbar's `#account-nav`. */
  function siteUrl(name, fallback) {
    var node = document.getElementById('account-nav');
    var value = node ? node.getAttribute('data-' + name + '-url') : null;
    return value || fallback;
  }

  function signInUrlFor(next) {
    var base = siteUrl('signin', '/account/sign-in/');
    return next ? base + '?next=' + encodeURIComponent(next) : base;
  }

  /** Whether `user` has one of `roles` (names of `GET /api/me`'s `roles`). */
  function hasRole(user, roles) {
    var mine = (user && user.roles) || [];
    return roles.some(function (role) { return mine.indexOf(role) !== -1; });
  }

  function isAccountPage() {
    return /\/account\//.test(window.location.pathname);
  }

  // --- forms ---------------------------------------------------------------------------------

  // The message shown at the top of a form for an error code; the page translates them.
  var CODE_MESSAGES = [
    'network_error', 'internal_error', 'invalid_credentials', 'email_not_verified',
    'account_disabled', 'email_taken', 'invalid_token', 'expired_token', 'last_admin',
    'not_authenticated', 'cross_origin_request'
  ];

  function messageFor(error, status) {
    var code = error.code || '';
    if (code === 'invalid_fields' && error.fields && Object.keys(error.fields).length) {
      return say('invalid_fields');
    }
    if (CODE_MESSAGES.indexOf(code) !== -1 && say(code)) return say(code);
    if (error.message) return error.message;
    return status >= 500 ? say('internal_error') : say('unexpected_error');
  }

  /**
   * A form component: `values` bound with x-model, `errors` by field, `message` at the top,
   * `notice` after success, `pending` while the request runs, `waiting` after a 429.
   *
   * spec: {
   *   values: {...},                        // initial values (x-model="values.name")
   *   required: ['email', ...],             // checked before sending
   *   newPassword: 'password',              // a new password: at least 10 characters
   *   confirm: ['password', 'password_confirm'],  // must be equal
   *   checked: ['confirm'],                 // checkboxes that must be ticked
   *   request: function () { return ['POST', '/api/…', body]; },
   *   success: function (result) {},
   *   failure: function (result) {},        // after the errors are shown
   *   validate: function (values, errors) {},  // more checks: set errors[name]
   *   session: true,                        // needs a session: a 401 goes to sign-in
   *   methods: {...}                        // more data, methods and getters
   * }
   */
  function accountForm(spec) {
    return function () {
      var component = {
        values: copy(spec.values),
        errors: {},
        message: '',
        notice: '',
        code: '',
        pending: false,
        waiting: false,
        waitTimer: null,

        invalid: function (name) { return Boolean(this.errors[name]); },
        fieldError: function (name) { return this.errors[name] || ''; },
        /** aria-describedby of an input: its help text, and its error while there is one. */
        describedBy: function (name, helpId, errorId) {
          var ids = [];
          if (helpId) ids.push(helpId);
          if (errorId && this.errors[name]) ids.push(errorId);
          return ids.length ? ids.join(' ') : null;
        },
        get busy() { return this.pending || this.waiting; },

        check: function () {
          var values = this.values;
          var errors = {};
          (spec.required || []).forEach(function (name) {
            if (!String(values[name] || '').trim()) errors[name] = say('required');
          });
          // Only the obvious: the API checks the address properly (error.fields.email).
          if ('email' in values && !errors.email && !/^[^\s@]+@[^\s@]+$/.test(String(values.email).trim())) {
            errors.email = say('email_invalid');
          }
          (spec.checked || []).forEach(function (name) {
            if (!values[name]) errors[name] = say('confirm_required');
          });
          var pw = spec.newPassword;
          if (pw && !errors[pw] && String(values[pw] || '').length < 10) {
            errors[pw] = say('password_too_short');
          }
          var pair = spec.confirm;
          if (pair && !errors[pair[0]] && !errors[pair[1]] && values[pair[0]] !== values[pair[1]]) {
            errors[pair[1]] = say('password_mismatch');
          }
          if (spec.validate) spec.validate.call(this, values, errors); // the page's own hints
          return errors;
        },

        submit: function () {
          if (this.busy) return;
          var self = this;
          var problems = this.check();
          this.errors = problems;
          this.notice = '';
          this.code = '';
          if (Object.keys(problems).length) {
            this.message = say('invalid_fields');
            this.focusProblem();
            return;
          }
          this.message = '';
          var request = spec.request.call(this);
          this.pending = true;
          api(request[0], request[1], request[2]).then(function (result) {
            self.pending = false;
            if (result.ok) {
              spec.success.call(self, result);
            } else {
              self.fail(result);
            }
          });
        },

        fail: function (result) {
          var error = result.error || {};
          if (spec.session && result.status === 401) {
            signedOut();
            window.location.assign(signInUrlFor(window.location.pathname));
            return;
          }
          var values = this.values;
          var fields = error.fields || {};
          var errors = {};
          var other = [];
          Object.keys(fields).forEach(function (key) {
            if (Object.prototype.hasOwnProperty.call(values, key)) errors[key] = fields[key];
            else other.push(fields[key]);
          });
          this.errors = errors;
          this.code = error.code || '';
          if (result.status === 429) {
            var seconds = result.retryAfter === null ? 30 : result.retryAfter;
            this.message = say('rate_limited', { when: waitPhrase(seconds) });
            this.holdOff(seconds);
          } else {
            var message = messageFor(error, result.status);
            if (error.code === 'invalid_fields' && other.length) message += ' ' + other.join(' ');
            this.message = message;
          }
          if (spec.failure) spec.failure.call(this, result);
          this.focusProblem();
        },

        /** After a 429: the submit button stays disabled for `seconds`. */
        holdOff: function (seconds) {
          var self = this;
          this.waiting = true;
          window.clearTimeout(this.waitTimer);
          this.waitTimer = window.setTimeout(function () { self.waiting = false; }, Math.max(1, seconds) * 1000);
        },

        /** Focus the first field in error (its description reads the error), if any. */
        focusProblem: function () {
          var root = this.$root;
          this.$nextTick(function () {
            var field = root.querySelector('.is-invalid');
            if (field) field.focus();
          });
        },

        clear: function (names) {
          var values = this.values;
          names.forEach(function (name) { values[name] = typeof values[name] === 'boolean' ? false : ''; });
        }
      };
      if (spec.methods) mixin(component, spec.methods);
      component.init = function () {
        adoptTyped(this);
        if (spec.init) spec.init.call(this);
      };
      return component;
    };
  }

  /**
   * Keep what was typed (or autofilled) before Alpine started: x-model would otherwise
   * replace it with the component's empty initial values.
   */
  function adoptTyped(component) {
    var root = component.$root;
    Object.keys(component.values).forEach(function (name) {
      var input = root.querySelector('[name="' + name + '"]');
      if (!input) return;
      if (input.type === 'checkbox') {
        if (input.checked) component.values[name] = true;
      } else if (input.value) {
        component.values[name] = input.value;
      }
    });
  }

  /** "Send the email again": POST /api/auth/verify/resend {email}; always 202. */
  function resendState() {
    return {
      resendPending: false,
      resendSent: false,
      resendMessage: '',
      resendWaiting: false,
      resend: function (email) {
        var self = this;
        if (this.resendPending || this.resendWaiting) return;
        if (!String(email || '').trim()) {
          this.resendMessage = say('required_email');
          return;
        }
        this.resendPending = true;
        this.resendSent = false;
        this.resendMessage = '';
        api('POST', '/api/auth/verify/resend', { email: String(email).trim() }).then(function (result) {
          self.resendPending = false;
          if (result.ok) {
            self.resendSent = true;
          } else if (result.status === 429) {
            var seconds = result.retryAfter === null ? 30 : result.retryAfter;
            self.resendMessage = say('rate_limited', { when: waitPhrase(seconds) });
            self.resendWaiting = true;
            window.setTimeout(function () { self.resendWaiting = false; }, Math.max(1, seconds) * 1000);
          } else {
            var error = result.error || {};
            var fields = error.fields || {};
            self.resendMessage = fields.email || messageFor(error, result.status);
          }
        });
      }
    };
  }

  // What the other account pages share (admin.js): one `GET /api/me` per page, the same
  // API call and sign-in round trip. Set before Alpine starts (this file runs first).
  window.lmsAccount = {
    api: api,
    apiBase: apiBase,
    fill: fill,
    form: accountForm,
    hasRole: hasRole,
    loadMe: loadMe,
    sayFrom: sayFrom,
    signInUrlFor: signInUrlFor,
    signedOut: signedOut
  };

  // --- components ----------------------------------------------------------------------------

  document.addEventListener('alpine:init', function () {
    var Alpine = window.Alpine;

    // state: 'unknown' (asking /api/me) | 'anonymous' | 'signed-in' | 'offline' (API unreachable)
    Alpine.store('account', { state: hasSignedInHint() ? 'unknown' : 'anonymous', user: null, deleted: false });

    // The navbar's account menu. Signed out: "Sign in" (back to this page afterwards) and
    // "Sign up". Signed in: a dropdown with the user's name: Settings, Sign out.
    Alpine.data('accountNav', function () {
      return {
        signingOut: false,
        init: function () {
          // theme-init.js hid the guest buttons before first paint if the hint was set;
          // from here on x-show decides.
          document.documentElement.classList.remove(SIGNED_IN_CLASS);
          if (hasSignedInHint()) loadMe();
        },
        get signedIn() { return store().state === 'signed-in'; },
        get showGuest() { return store().state === 'anonymous' || store().state === 'offline'; },
        get userName() { return store().user ? store().user.name : ''; },
        /** Graders (instructors, moderators, admins) get a "Grading" link. */
        get isStaff() { return hasRole(store().user, ['admin', 'moderator', 'instructor']); },
        /** Admins get "Users" (GET /api/admin/users is theirs only). */
        get canManageUsers() { return hasRole(store().user, ['admin']); },
        /** Certificate admins (admins; moderators read only) get "Certificates". */
        get canSeeCertificates() { return hasRole(store().user, ['admin', 'moderator']); },
        /** Order admins (admins; moderators read only) get "Orders". */
        get canSeeOrders() { return hasRole(store().user, ['admin', 'moderator']); },
        /** Coupon managers (admins; instructors for their own courses) get "Coupons". */
        get canManageCoupons() { return hasRole(store().user, ['admin', 'instructor']); },
        get signInHref() {
          var here = window.location.pathname + window.location.search + window.location.hash;
          return signInUrlFor(isAccountPage() ? '' : here);
        },
        signOut: function () {
          var self = this;
          if (this.signingOut) return;
          this.signingOut = true;
          api('POST', '/api/auth/logout', {}).then(function (result) {
            self.signingOut = false;
            if (result.status === 0) return; // not reached: still signed in
            signedOut();
            if (isAccountPage()) window.location.assign(siteUrl('home', '/'));
            else window.location.reload();
          });
        }
      };
    });

    // /account/sign-up/: name, email, password. 201 → "check your email" with a resend button.
    Alpine.data('signUpForm', accountForm({
      values: { name: '', email: '', password: '' },
      required: ['name', 'email', 'password'],
      newPassword: 'password',
      request: function () {
        var lang = pageLang().slice(0, 2);
        return ['POST', '/api/auth/register', {
          name: this.values.name.trim(),
          email: this.values.email.trim(),
          password: this.values.password,
          language: lang === 'es' ? 'es' : 'en'
        }];
      },
      success: function (result) {
        this.registeredEmail = (result.data && result.data.email) || this.values.email.trim();
        this.clear(['password']);
        this.done = true;
        var heading = this.$refs.doneHeading;
        this.$nextTick(function () { if (heading) heading.focus(); });
      },
      methods: mixin({ done: false, registeredEmail: '' }, resendState())
    }));

    // /account/sign-in/: email, password; then `?next=` (same-site paths only) or home.
    Alpine.data('signInForm', accountForm({
      values: { email: '', password: '' },
      required: ['email', 'password'],
      request: function () {
        return ['POST', '/api/auth/login', { email: this.values.email.trim(), password: this.values.password }];
      },
      success: function (result) {
        signedIn(result.data);
        this.clear(['password']);
        this.redirecting = true;
        window.location.assign(safeNext(queryParam('next'), siteUrl('home', '/')));
      },
      methods: mixin({
        redirecting: false,
        get busy() { return this.pending || this.waiting || this.redirecting; }, // no second submit
        get notVerified() { return this.code === 'email_not_verified'; }
      }, resendState())
    }));

    // /account/verify/?token=: posts the token on load.
    // state: checking → done | invalid | expired | taken | missing | error
    Alpine.data('verifyEmail', function () {
      return mixin({
        state: 'checking',
        token: '',
        email: '',
        init: function () {
          this.token = queryParam('token') || '';
          if (hasSignedInHint()) loadMe();
          if (!this.token) { this.state = 'missing'; return; }
          this.check();
        },
        get signedIn() { return store().state === 'signed-in'; },
        check: function () {
          var self = this;
          this.state = 'checking';
          api('POST', '/api/auth/verify', { token: this.token }).then(function (result) {
            var code = result.error ? result.error.code : '';
            if (result.ok) {
              self.state = 'done';
              var user = store().user;
              if (user && result.data && user.id === result.data.id) store().user = result.data;
            } else if (code === 'expired_token') {
              self.state = 'expired';
            } else if (code === 'invalid_token' || result.status === 422) {
              self.state = 'invalid';
            } else if (code === 'email_taken') {
              self.state = 'taken';
            } else {
              self.state = 'error';
              return; // keep the token in the address bar: a reload tries again
            }
            forgetQuery();
            var heading = self.$refs.result;
            self.$nextTick(function () { if (heading) heading.focus(); });
          });
        },
        get needsNewLink() { return this.state === 'invalid' || this.state === 'expired' || this.state === 'missing'; }
      }, resendState());
    });

    // /account/forgot-password/: always the same confirmation (no account enumeration).
    Alpine.data('forgotPasswordForm', accountForm({
      values: { email: '' },
      required: ['email'],
      request: function () {
        return ['POST', '/api/auth/password/forgot', { email: this.values.email.trim() }];
      },
      success: function () {
        this.sentTo = this.values.email.trim();
        this.sent = true;
        var heading = this.$refs.doneHeading;
        this.$nextTick(function () { if (heading) heading.focus(); });
      },
      methods: { sent: false, sentTo: '' }
    }));

    // /account/reset-password/?token=: a new password, twice. Success → sign in.
    Alpine.data('resetPasswordForm', accountForm({
      values: { password: '', password_confirm: '' },
      required: ['password', 'password_confirm'],
      newPassword: 'password',
      confirm: ['password', 'password_confirm'],
      init: function () {
        this.token = queryParam('token') || '';
        if (this.token) forgetQuery();
      },
      request: function () {
        return ['POST', '/api/auth/password/reset', { token: this.token, password: this.values.password }];
      },
      success: function () {
        this.clear(['password', 'password_confirm']);
        this.done = true;
        signedOut(); // every session of the account was revoked, this browser's too
        var heading = this.$refs.doneHeading;
        this.$nextTick(function () { if (heading) heading.focus(); });
      },
      methods: {
        token: '',
        done: false,
        get badLink() { return this.code === 'invalid_token' || this.code === 'expired_token'; }
      }
    }));

    // /account/settings/: the page's gate. Asks /api/me; 401 → sign-in, back here afterwards.
    // state: loading → ready | error; `deleted` once the account is gone.
    Alpine.data('accountSettings', function () {
      return mixin({
        state: 'loading',
        init: function () { this.load(); },
        load: function () {
          var self = this;
          if (this.state === 'error') meRequest = null; // "Try again" asks again
          this.state = 'loading';
          loadMe().then(function (result) {
            if (result.ok) {
              self.state = 'ready';
            } else if (result.status === 401) {
              self.state = 'redirecting';
              window.location.replace(signInUrlFor(window.location.pathname));
            } else {
              self.state = 'error';
            }
          });
        },
        get deleted() { return store().deleted; },
        get user() { return store().user; },
        get email() { return store().user ? store().user.email : ''; },
        get pendingEmail() { return store().user ? (store().user.pending_email || '') : ''; },
        get verified() { return Boolean(store().user && store().user.verified); }
      }, resendState());
    });

    // Settings: name and language (PATCH /api/me).
    Alpine.data('profileForm', accountForm({
      values: { name: '', language: 'en' },
      required: ['name'],
      session: true,
      init: function () {
        var user = store().user;
        if (user) {
          this.values.name = user.name || '';
          this.values.language = user.language === 'es' ? 'es' : 'en';
        }
      },
      request: function () {
        return ['PATCH', '/api/me', { name: this.values.name.trim(), language: this.values.language }];
      },
      success: function (result) {
        if (result.data) {
          store().user = result.data;
          this.values.name = result.data.name;
        }
        this.notice = say('saved');
      }
    }));

    // Settings: a new email address (POST /api/me/email); it changes once the link is opened.
    Alpine.data('emailForm', accountForm({
      values: { email: '', password: '' },
      required: ['email', 'password'],
      session: true,
      request: function () {
        return ['POST', '/api/me/email', { email: this.values.email.trim(), password: this.values.password }];
      },
      success: function (result) {
        if (result.data) store().user = result.data;
        var pending = (result.data && result.data.pending_email) || this.values.email.trim();
        this.clear(['email', 'password']);
        this.notice = say('email_change_sent', { email: pending });
      }
    }));

    // Settings: a new password (POST /api/me/password); other sessions end.
    Alpine.data('passwordForm', accountForm({
      values: { current_password: '', new_password: '', new_password_confirm: '' },
      required: ['current_password', 'new_password', 'new_password_confirm'],
      newPassword: 'new_password',
      confirm: ['new_password', 'new_password_confirm'],
      session: true,
      request: function () {
        return ['POST', '/api/me/password', {
          current_password: this.values.current_password,
          new_password: this.values.new_password
        }];
      },
      success: function () {
        this.clear(['current_password', 'new_password', 'new_password_confirm']);
        this.notice = say('password_changed');
      }
    }));

    // Settings: delete the account (DELETE /api/me), with the password and a ticked box.
    Alpine.data('deleteAccountForm', accountForm({
      values: { password: '', confirm: false },
      required: ['password'],
      checked: ['confirm'],
      session: true,
      request: function () {
        return ['DELETE', '/api/me', { password: this.values.password }];
      },
      success: function () {
        this.clear(['password', 'confirm']);
        signedOut();
        store().deleted = true;
      }
    }));
  });
})();
