// Payments: the checkout page (/account/checkout/, `checkout`) and the payment history
// (/account/payments/, `paymentHistory`), calling the payments API (README, "Payments").
//
// Loaded (deferred) by those two pages only, before the Alpine CSP build, so the
// `alpine:init` listener is in place when Alpine starts. Same rules as app.js: markup only
// uses names, paths, calls, comparisons and literals; no inline scripts, no eval, no third-
// party script (the buyer approves on PayPal's own page, reached by a plain navigation);
// every user-visible string comes from the page (`#checkout-messages`, through gettext).
//
// Nothing here is trusted by the server: the price, the coupon's discount and the payment's
// outcome are the API's; the page only shows them.
//
// The journey: ?course=<slug> (or ?program=, ?masterclass=) → the quote, a coupon field and
// "Pay with PayPal" → POST /api/checkout → PayPal's approval page → back to
// ?order=<id>&token=… → POST /api/checkout/<id>/capture → paid (or pending, or a problem
// with a way forward). PayPal's cancel link comes back with ?order=<id>&cancelled=1.
(function () {
  'use strict';

  var SIGNED_IN_KEY = 'lmsSignedIn';
  var KINDS = ['course', 'program', 'masterclass'];
  var PATHS = { course: 'courses/', program: 'programs/', masterclass: 'masterclasses/' };
  var SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
  var ORDER_ID = /^[A-Za-z0-9]{1,32}$/;
  var RETRYABLE = ['paypal_unavailable', 'payments_unavailable', 'network_error', 'internal_error', 'paypal_error', 'capture_missing'];
  var APPROVABLE = ['payment_declined', 'order_not_approved'];
  var RESTART = ['coupon_exhausted', 'coupon_limit_reached', 'coupon_inactive', 'order_cancelled', 'payment_failed'];

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

  function fill(template, values) {
    return String(template || '').replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  var messageCache = null;
  function say(key, values) {
    if (messageCache === null) {
      var node = document.getElementById('checkout-messages');
      try { messageCache = JSON.parse(node ? node.textContent : '{}') || {}; } catch (e) { messageCache = {}; }
    }
    var text = messageCache[key];
    return text ? fill(text, values || {}) : '';
  }

  function hasSignedInHint() {
    try { return window.localStorage.getItem(SIGNED_IN_KEY) === '1'; } catch (e) { return false; }
  }

  function forgetSignedIn() {
    try { window.localStorage.removeItem(SIGNED_IN_KEY); } catch (e) { /* storage disabled */ }
  }

  /**
   * Call the API with the session cookie. Never rejects: resolves to {status, ok, data,
   * error}, `error` being the API's {code, message, fields} ({code: 'network_error'},
   * status 0, when the API could not be reached).
   */
  function call(method, path, body) {
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
            ? data.error : { code: response.status >= 500 ? 'internal_error' : 'http_' + response.status, message: '' };
        }
        return { status: response.status, ok: response.ok, data: response.ok ? data : null, error: error };
      });
    }, function () {
      return { status: 0, ok: false, data: null, error: { code: 'network_error', message: '' } };
    });
  }

  /** "$49.90", "49,90 US$": a decimal string shown in the page's language (display only). */
  function money(amount, currency) {
    if (amount === null || amount === undefined || amount === '' || !currency) return '';
    try {
      return new Intl.NumberFormat(pageLang(), { style: 'currency', currency: currency }).format(Number(amount));
    } catch (e) {
      return amount + ' ' + currency;
    }
  }

  /** "Nov 25, 2026" (with `withTime`, "Nov 25, 2026, 3:04 PM") in the page's language. */
  function longDate(value, withTime) {
    if (!value) return '';
    var text = String(value);
    if (/T\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text)) text += 'Z'; // a naive timestamp is UTC
    var date = new Date(text);
    if (isNaN(date.getTime())) return '';
    try {
      var style = withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' };
      return new Intl.DateTimeFormat(pageLang(), style).format(date);
    } catch (e) {
      return date.toLocaleDateString();
    }
  }

  /** Focus what x-show is about to reveal (Alpine shows it on the next frame). */
  function focusLater(component, ref) {
    component.$nextTick(function () {
      window.requestAnimationFrame(function () {
        var node = component.$refs[ref];
        if (node) node.focus();
      });
    });
  }

  function itemHref(root, kind, slug) {
    if (!PATHS[kind] || !slug) return root || '/';
    return (root || '/') + PATHS[kind] + encodeURIComponent(slug) + '/';
  }

  function messageFor(error) {
    var code = (error && error.code) || '';
    return say(code) || (error && error.message) || say('internal_error');
  }

  /** A coupon refused before paying (the quote, the checkout): why, in the page's words. */
  function couponMessage(error) {
    return say('quote_' + ((error && error.code) || '')) || messageFor(error);
  }

  // Shared with the admins' payment pages (admin.js, loaded after this file).
  window.lmsPayments = { money: money, longDate: longDate, itemHref: itemHref };

  // --- the components ------------------------------------------------------------------------

  document.addEventListener('alpine:init', function () {
    var Alpine = window.Alpine;

    // state: loading → review → redirecting (to PayPal) | paid (a free coupon)
    //        capturing → paid | pending | problem;  cancelled;  missing | error
    Alpine.data('checkout', function () {
      return {
        state: 'loading',
        kind: '',
        slug: '',
        orderId: '',
        summary: {},
        order: null,
        approveUrl: '',
        couponInput: '',
        couponError: '',
        applying: false,
        busy: false,
        message: '',
        code: '',
        signedIn: false,

        init: function () { this.start(); },

        start: function () {
          var params = new URLSearchParams(window.location.search);
          var orderId = params.get('order') || '';
          this.message = '';
          if (ORDER_ID.test(orderId)) {
            this.orderId = orderId;
            this.signedIn = true; // only the order's buyer comes back here; a 401 says otherwise
            if (params.get('cancelled')) { this.cancel(); return; }
            if (params.get('token')) { this.capture(); return; }
            this.refresh();
            return;
          }
          var self = this;
          KINDS.forEach(function (kind) {
            var slug = params.get(kind);
            if (!self.kind && slug && SLUG.test(slug)) {
              self.kind = kind;
              self.slug = slug;
            }
          });
          if (!this.kind) { this.state = 'missing'; return; }
          var coupon = (params.get('coupon') || '').trim();
          this.couponInput = coupon;
          this.quote(coupon, true);
          if (hasSignedInHint()) {
            call('GET', '/api/me').then(function (result) {
              self.signedIn = result.ok;
              if (result.status === 401) forgetSignedIn();
            });
          }
        },

        /**
         * GET the server's price (with a coupon). `first`: the page's first load, whose
         * coupon came from the address (?coupon=): if it fails, show the plain price and why.
         */
        quote: function (coupon, first, keepError) {
          var self = this;
          var path = '/api/prices/' + this.kind + '/' + encodeURIComponent(this.slug);
          if (coupon) path += '?coupon=' + encodeURIComponent(coupon);
          this.applying = true;
          return call('GET', path).then(function (result) {
            self.applying = false;
            if (result.ok && result.data) {
              self.summary = result.data;
              if (!keepError) self.couponError = '';
              self.state = 'review';
              return;
            }
            var error = result.error || {};
            if (coupon && /^coupon_/.test(error.code || '') && result.status === 422) {
              self.couponError = couponMessage(error);
              if (first) self.quote('', false, true);
              return;
            }
            if (result.status === 404 || result.status === 409) {
              self.summary = {};
              self.problem(error);
              return;
            }
            self.message = messageFor(error);
            self.state = 'error';
          });
        },

        applyCoupon: function () {
          var code = String(this.couponInput || '').trim();
          if (!code) { this.couponError = say('coupon_required'); return; }
          if (this.applying) return;
          this.quote(code, false);
        },

        removeCoupon: function () {
          this.couponInput = '';
          this.couponError = '';
          this.quote('', false);
        },

        pay: function () {
          if (this.busy) return;
          var self = this;
          var body = {};
          body[this.kind] = this.slug;
          if (this.summary.coupon) body.coupon = this.summary.coupon;
          this.busy = true;
          this.message = '';
          call('POST', '/api/checkout', body).then(function (result) {
            if (result.ok && result.data) {
              var order = result.data;
              self.order = order;
              self.orderId = order.order_id;
              if (order.status === 'captured') {
                self.busy = false;
                self.show(order);
                return;
              }
              if (order.approve_url) {
                self.state = 'redirecting';
                window.location.assign(order.approve_url);
                return;
              }
            }
            self.busy = false;
            var error = result.error || {};
            if (result.status === 401) {
              forgetSignedIn();
              self.signedIn = false;
              return;
            }
            if (/^coupon_/.test(error.code || '') && result.status === 422) {
              self.couponError = couponMessage(error);
              return;
            }
            if (['already_enrolled', 'already_registered', 'free_item', 'masterclass_ended', 'not_found'].indexOf(error.code) !== -1) {
              self.problem(error);
              return;
            }
            if (error.code === 'course_full' || error.code === 'masterclass_full') {
              self.message = say('sold_out'); // refused before paying, unlike at capture
              return;
            }
            self.message = messageFor(error);
          });
        },

        /** Back from PayPal with ?token=: capture (idempotent: a reload is harmless). */
        capture: function () {
          var self = this;
          this.state = 'capturing';
          this.busy = true;
          call('POST', '/api/checkout/' + encodeURIComponent(this.orderId) + '/capture', {}).then(function (result) {
            self.busy = false;
            self.forgetToken();
            if (result.ok && result.data) {
              self.show(result.data);
              return;
            }
            self.afterFailure(result);
          });
        },

        /** Back from PayPal's cancel link: mark the order cancelled (nothing was charged). */
        cancel: function () {
          var self = this;
          call('POST', '/api/checkout/' + encodeURIComponent(this.orderId) + '/cancel', {}).then(function (result) {
            self.forgetToken();
            if (result.ok && result.data) {
              self.show(result.data);
              return;
            }
            self.afterFailure(result);
          });
        },

        /** The order as it is now (a pending payment, a page opened again later). */
        refresh: function () {
          var self = this;
          this.busy = true;
          call('GET', '/api/checkout/' + encodeURIComponent(this.orderId)).then(function (result) {
            self.busy = false;
            if (result.ok && result.data) {
              self.show(result.data);
              return;
            }
            self.afterFailure(result);
          });
        },

        retry: function () {
          if (this.orderId) this.capture(); else this.start();
        },

        afterFailure: function (result) {
          var self = this;
          if (result.status === 401) {
            forgetSignedIn();
            window.location.replace(this.signInHref);
            return;
          }
          var error = result.error || {};
          if (result.status === 404) error = { code: 'order_missing', message: '' };
          // show what the order was (and where to approve it again) beside the problem
          call('GET', '/api/checkout/' + encodeURIComponent(this.orderId)).then(function (again) {
            if (again.ok && again.data) {
              self.adopt(again.data);
              self.problem(error);
            } else {
              self.message = messageFor(error);
              self.state = 'error';
            }
          });
        },

        /** Take the order's figures as the summary. */
        adopt: function (order) {
          this.order = order;
          this.kind = order.kind;
          this.slug = order.item;
          this.approveUrl = order.approve_url || '';
          this.summary = {
            kind: order.kind,
            item: order.item,
            title: order.title,
            currency: order.currency,
            list_amount: order.list_amount,
            discount: order.discount,
            amount: order.amount,
            coupon: order.coupon,
            free: Number(order.amount) === 0
          };
        },

        show: function (order) {
          this.adopt(order);
          this.message = '';
          this.code = '';
          if (order.status === 'captured') {
            this.state = 'paid';
            focusLater(this, 'paidHeading');
          } else if (order.status === 'pending') {
            this.state = 'pending';
            focusLater(this, 'pendingHeading');
          } else if (order.status === 'cancelled') {
            this.state = 'cancelled';
            focusLater(this, 'cancelledHeading');
          } else if (order.status === 'created') {
            this.problem({ code: 'order_not_approved' });
          } else {
            this.problem({ code: order.status === 'refunded' ? 'order_refunded' : 'payment_failed' });
          }
        },

        problem: function (error) {
          this.code = error.code || 'internal_error';
          this.message = messageFor(error);
          this.state = 'problem';
          focusLater(this, 'problemHeading');
        },

        /** Drop PayPal's token from the address bar: a reload shows the order, no new capture. */
        forgetToken: function () {
          if (!this.orderId) return;
          var url = window.location.pathname + '?order=' + encodeURIComponent(this.orderId);
          window.history.replaceState(window.history.state, '', url);
        },

        // --- what the markup shows ---
        get root() { return this.$root.dataset.siteRoot || '/'; },
        get hasSummary() {
          return Boolean(this.summary && this.summary.title) && ['loading', 'missing', 'error', 'capturing'].indexOf(this.state) === -1;
        },
        get hasItem() { return Boolean(this.kind && this.slug); },
        get itemHref() { return itemHref(this.root, this.summary.kind || this.kind, this.summary.item || this.slug); },
        get kindLabel() { return say('kind_' + (this.summary.kind || this.kind)); },
        get listPrice() { return money(this.summary.list_amount, this.summary.currency); },
        get hasDiscount() { return Number(this.summary.discount || 0) > 0; },
        get discountLabel() { return say('discount', { code: this.summary.coupon || '' }); },
        get discountText() { return '\u2212' + money(this.summary.discount, this.summary.currency); },
        get totalText() { return money(this.summary.amount, this.summary.currency); },
        get orderLabel() { return say('order', { id: this.orderId }); },
        get payLabel() { return say('pay', { amount: this.totalText }); },
        get couponApplied() { return Boolean(this.summary.coupon); },
        get couponAppliedText() {
          return say('coupon_applied', { code: this.summary.coupon || '', amount: money(this.summary.discount, this.summary.currency) });
        },
        get hasCouponError() { return Boolean(this.couponError); },
        get couponDescribedBy() {
          if (this.couponError) return 'checkout-coupon-error';
          return this.couponApplied ? 'checkout-coupon-applied' : null;
        },
        get signInHref() {
          var base = this.$root.dataset.signinUrl || '/account/sign-in/';
          return base + '?next=' + encodeURIComponent(window.location.pathname + window.location.search);
        },
        get signUpHref() {
          var base = this.$root.dataset.signupUrl || '/account/sign-up/';
          return base + '?next=' + encodeURIComponent(window.location.pathname + window.location.search);
        },
        get paidText() { return say('paid_' + (this.summary.kind || 'course'), { title: this.summary.title || '' }); },
        get openLabel() { return say('open_' + (this.summary.kind || 'course')); },
        get hasReceipt() { return Boolean(this.order && this.order.receipt); },
        get receiptHref() {
          return apiBase() + '/api/me/payments/' + encodeURIComponent(this.orderId) + '/receipt.pdf';
        },
        get paymentsHref() { return this.$root.dataset.paymentsUrl || '/account/payments/'; },
        get restartHref() {
          var kind = this.summary.kind || this.kind;
          var slug = this.summary.item || this.slug;
          return window.location.pathname + '?' + encodeURIComponent(kind) + '=' + encodeURIComponent(slug);
        },
        get canApprove() { return Boolean(this.approveUrl) && APPROVABLE.indexOf(this.code) !== -1; },
        get canRetry() { return RETRYABLE.indexOf(this.code) !== -1; },
        get canRestart() { return this.hasItem && RESTART.indexOf(this.code) !== -1; },
        get problemTitle() {
          var code = this.code;
          if (code === 'payment_declined') return say('problem_declined');
          if (code === 'payment_mismatch') return say('problem_mismatch');
          if (RETRYABLE.indexOf(code) !== -1) return say('problem_unavailable');
          if (code === 'already_enrolled' || code === 'already_registered') return say('problem_owned');
          if (code === 'course_full' || code === 'masterclass_full') return say('problem_full');
          if (/^coupon_/.test(code)) return say('problem_coupon');
          return say('problem_generic');
        }
      };
    });

    // /account/payments/: GET /api/me/payments. Signed out (401) → sign-in, back here after.
    Alpine.data('paymentHistory', function () {
      return {
        state: 'loading',
        payments: [],
        init: function () { this.load(); },
        load: function () {
          var self = this;
          this.state = 'loading';
          call('GET', '/api/me/payments').then(function (result) {
            if (result.ok && result.data) {
              self.payments = Array.isArray(result.data.payments) ? result.data.payments : [];
              self.state = 'ready';
            } else if (result.status === 401) {
              self.state = 'redirecting';
              forgetSignedIn();
              var base = self.$root.dataset.signinUrl || '/account/sign-in/';
              window.location.replace(base + '?next=' + encodeURIComponent(window.location.pathname));
            } else {
              self.state = 'error';
            }
          });
        },
        get empty() { return this.state === 'ready' && this.payments.length === 0; },
        dateOf: function (payment) { return longDate(payment.captured_at || payment.created_at); },
        amountOf: function (payment) { return money(payment.amount, payment.currency); },
        itemHref: function (payment) { return itemHref(this.$root.dataset.siteRoot, payment.kind, payment.item); },
        orderLabel: function (payment) { return say('order', { id: payment.order_id }); },
        statusLabel: function (payment) { return say('status_' + payment.status) || payment.status; },
        statusClass: function (payment) { return 'is-' + payment.status; },
        receiptHref: function (payment) {
          return apiBase() + '/api/me/payments/' + encodeURIComponent(payment.order_id) + '/receipt.pdf';
        },
        receiptLabel: function (payment) { return say('receipt_of', { title: payment.title }); }
      };
    });
  });
})();
