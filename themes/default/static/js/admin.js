// The admins' payment pages: /account/admin/orders/ (`adminOrders`) and
// /account/admin/coupons/ (`adminCoupons`, `couponForm`), calling the admin payment API
// (README, "Payments"; dynamic_api/routes/admin_payments.py).
//
// Loaded (deferred) by those two pages only, before the Alpine CSP build; uses, once Alpine
// starts (every deferred script has run by then), account.js's `window.lmsAccount` (the API
// call, `GET /api/me` once per page, the form component) and checkout.js's
// `window.lmsPayments` (money, dates, item links). Same rules as
// app.js: markup only uses names, paths, calls, comparisons and literals; every
// user-visible string comes from the page (`#admin-page-messages`, then `#admin-messages`,
// rendered through gettext).
//
// The pages only show what the API says: who may see and change what is the API's decision
// (a 403 shows the "not allowed" card), and so are amounts, refunds and coupon rules.
(function () {
  'use strict';

  var account = null; // window.lmsAccount and window.lmsPayments, at `alpine:init`
  var payments = null;
  var ORDER_ID = /^[A-Za-z0-9]{1,32}$/;
  var PER_PAGE = 25;
  var FILTERS = ['status', 'kind', 'email'];

  var sayPage = null;
  var sayShared = null;

  function say(key, values) {
    return sayPage(key, values) || sayShared(key, values);
  }

  /** `key_none`, `key_one` or `key_many` (English and Spanish have one plural form). */
  function sayCount(key, n) {
    return say(key + (n === 0 ? '_none' : n === 1 ? '_one' : '_many'), { n: n });
  }

  /** What went wrong, in the page's words for a few codes, else in the API's. */
  function errorMessage(result) {
    var error = result.error || {};
    if (result.status === 0) return say('error_network_error');
    var known = say('error_' + (error.code || ''));
    if (known) return known;
    if (error.message) return error.message;
    return result.status >= 500 ? say('error_internal_error') : say('error_unexpected');
  }

  function toSignIn(component) {
    component.state = 'redirecting';
    account.signedOut();
    window.location.replace(account.signInUrlFor(window.location.pathname + window.location.search));
  }

  /**
   * The page's gate: signed in (else to sign-in and back) with one of `roles` (else the
   * "not allowed" card). Resolves to the user, or null when the page stops here. "Try
   * again" asks the API afresh (`loadMe` keeps the page's first answer).
   */
  function gate(component, roles) {
    component.state = 'loading';
    var asked = component.askedMe ? account.api('GET', '/api/me') : account.loadMe();
    component.askedMe = true;
    return asked.then(function (me) {
      if (me.status === 401) { toSignIn(component); return null; }
      if (!me.ok) { component.message = errorMessage(me); component.state = 'error'; return null; }
      if (!account.hasRole(me.data, roles)) { component.state = 'forbidden'; return null; }
      return me.data;
    });
  }

  /** Move the focus to a ref once Alpine has shown it. */
  function focusRef(component, ref) {
    component.$nextTick(function () {
      window.requestAnimationFrame(function () {
        var node = component.$refs[ref];
        if (node) node.focus();
      });
    });
  }

  /** A fact of the audit trail: `{amount, currency}` as money, other objects as JSON. */
  function factText(value) {
    if (value && typeof value === 'object') {
      if (value.amount !== undefined && value.currency) return payments.money(value.amount, value.currency);
      return JSON.stringify(value);
    }
    return String(value);
  }

  function replaceById(list, item, key) {
    return list.map(function (each) { return each[key] === item[key] ? item : each; });
  }

  function isPast(value) {
    return Boolean(value) && new Date(/Z|[+-]\d\d:\d\d$/.test(value) ? value : value + 'Z').getTime() <= Date.now();
  }

  // --- the components ------------------------------------------------------------------------

  document.addEventListener('alpine:init', function () {
    var Alpine = window.Alpine;
    account = window.lmsAccount;
    payments = window.lmsPayments;
    sayPage = account.sayFrom('admin-page-messages');
    sayShared = account.sayFrom('admin-messages');

    // /account/admin/orders/: the list (?status=&kind=&email=&flagged=&page=) or one order
    // (?order=<id>). The address keeps both, so Back, a reload and a shared link work.
    Alpine.data('adminOrders', function () {
      return {
        state: 'loading',
        message: '',
        notice: '',
        askedMe: false,
        isAdmin: false,
        filters: { status: '', kind: '', email: '', flagged: false },
        page: 1,
        total: 0,
        orders: [],
        loaded: false,
        busy: false,
        listMessage: '',
        orderId: '',
        order: null,
        detailLoading: false,
        detailMessage: '',
        confirming: false,
        reason: '',
        refunding: false,
        refundMessage: '',

        init: function () {
          var self = this;
          window.addEventListener('popstate', function () {
            if (self.state === 'ready') self.fromAddress();
          });
          this.load();
        },

        load: function () {
          var self = this;
          gate(this, ['admin', 'moderator']).then(function (me) {
            if (!me) return;
            self.isAdmin = account.hasRole(me, ['admin']);
            self.state = 'ready';
            self.fromAddress();
          });
        },

        /** Show what the address asks for: one order, or a page of the list. */
        fromAddress: function () {
          var params = new URLSearchParams(window.location.search);
          var self = this;
          FILTERS.forEach(function (name) { self.filters[name] = params.get(name) || ''; });
          this.filters.flagged = params.get('flagged') === 'true';
          this.page = Math.max(1, parseInt(params.get('page') || '1', 10) || 1);
          var orderId = params.get('order') || '';
          this.orderId = ORDER_ID.test(orderId) ? orderId : '';
          this.notice = '';
          if (this.orderId) this.loadOrder(); else this.loadList();
        },

        query: function (withOrder) {
          var params = new URLSearchParams();
          var filters = this.filters;
          FILTERS.forEach(function (name) {
            var value = String(filters[name] || '').trim();
            if (value) params.set(name, value);
          });
          if (filters.flagged) params.set('flagged', 'true');
          if (this.page > 1) params.set('page', String(this.page));
          if (withOrder && this.orderId) params.set('order', this.orderId);
          return params.toString();
        },

        /** Record the view in the address (a new history entry: Back returns to the last). */
        remember: function () {
          var query = this.query(true);
          window.history.pushState(null, '', window.location.pathname + (query ? '?' + query : ''));
        },

        loadList: function () {
          var self = this;
          var params = new URLSearchParams(this.query(false));
          params.set('per_page', String(PER_PAGE));
          this.busy = true;
          this.listMessage = '';
          return account.api('GET', '/api/admin/orders?' + params.toString()).then(function (result) {
            self.busy = false;
            if (result.status === 401) { toSignIn(self); return; }
            if (result.status === 403) { self.state = 'forbidden'; return; }
            if (!result.ok) {
              self.orders = [];
              self.total = 0;
              self.listMessage = errorMessage(result);
              return;
            }
            self.orders = result.data.items || [];
            self.total = result.data.total || 0;
            self.loaded = true;
          });
        },

        search: function () {
          this.page = 1;
          this.remember();
          this.loadList();
        },
        resetFilters: function () {
          this.filters = { status: '', kind: '', email: '', flagged: false };
          this.search();
        },
        previousPage: function () { this.goTo(this.page - 1); },
        nextPage: function () { this.goTo(this.page + 1); },
        goTo: function (page) {
          this.page = Math.min(Math.max(1, page), this.pages);
          this.remember();
          this.loadList();
        },

        // --- one order ---
        open: function (order) {
          this.orderId = order.order_id;
          this.order = null;
          this.notice = '';
          this.remember();
          this.loadOrder();
        },
        close: function () {
          var id = this.orderId;
          this.orderId = '';
          this.order = null;
          this.confirming = false;
          this.remember();
          var root = this.$root;
          var refocus = function () {
            var link = root.querySelector('[data-order="' + id + '"]');
            if (link) link.focus();
          };
          if (this.loaded) this.$nextTick(refocus); else this.loadList().then(refocus);
        },
        loadOrder: function () {
          var self = this;
          this.detailLoading = true;
          this.detailMessage = '';
          this.confirming = false;
          account.api('GET', '/api/admin/orders/' + encodeURIComponent(this.orderId)).then(function (result) {
            self.detailLoading = false;
            if (result.status === 401) { toSignIn(self); return; }
            if (!result.ok) { self.detailMessage = errorMessage(result); return; }
            self.order = result.data;
            focusRef(self, 'orderTitle');
          });
        },

        askRefund: function () {
          this.confirming = true;
          this.reason = '';
          this.refundMessage = '';
          focusRef(this, 'refundTitle');
        },
        cancelRefund: function () {
          this.confirming = false;
          this.refundMessage = '';
        },
        refund: function () {
          if (this.refunding || !this.order) return;
          var self = this;
          var id = this.order.order_id;
          this.refunding = true;
          this.refundMessage = '';
          var path = '/api/admin/orders/' + encodeURIComponent(id) + '/refund';
          account.api('POST', path, { reason: String(this.reason || '').trim() }).then(function (result) {
            self.refunding = false;
            if (result.status === 401) { toSignIn(self); return; }
            if (!result.ok) { self.refundMessage = errorMessage(result); return; }
            self.order = result.data;
            self.orders = replaceById(self.orders, result.data, 'order_id');
            self.confirming = false;
            self.notice = say(result.status === 202 ? 'refund_pending' : 'refunded', { id: id });
            focusRef(self, 'notice');
          });
        },

        // --- what the markup shows ---
        get hasOrders() { return this.orders.length > 0; },
        get pages() { return Math.max(1, Math.ceil(this.total / PER_PAGE)); },
        get countText() { return this.loaded ? sayCount('orders_count', this.total) : ''; },
        get pageText() { return say('page_of', { page: this.page, pages: this.pages }); },
        get listHref() {
          var query = this.query(false);
          return window.location.pathname + (query ? '?' + query : '');
        },
        detailHref: function (order) {
          return window.location.pathname + '?order=' + encodeURIComponent(order.order_id);
        },
        detailLabel: function (order) { return say('details_of', { id: order.order_id }); },
        dateOf: function (order) { return payments.longDate(order.created_at); },
        dateTimeOf: function (value) { return payments.longDate(value, true); },
        money: function (amount) { return this.order ? payments.money(amount, this.order.currency) : ''; },
        amountOf: function (order) { return payments.money(order.amount, order.currency); },
        couponOf: function (order) { return say('coupon', { code: order.coupon || '' }); },
        buyerName: function (order) { return order.buyer ? order.buyer.name : say('no_buyer'); },
        buyerEmail: function (order) { return order.buyer ? order.buyer.email : ''; },
        kindLabel: function (order) { return say('kind_' + order.kind) || order.kind; },
        statusLabel: function (order) { return say('status_' + order.status) || order.status; },
        statusClass: function (order) { return 'is-' + order.status; },
        itemHref: function (order) { return payments.itemHref(this.$root.dataset.siteRoot, order.kind, order.item); },
        /** "via: capture · amount: $49.00": the step's facts, money as money, no empty ones. */
        eventDetail: function (event) {
          var detail = event.detail || {};
          return Object.keys(detail).filter(function (key) {
            return detail[key] !== null && detail[key] !== '';
          }).map(function (key) { return key + ': ' + factText(detail[key]); }).join(' · ');
        },
        get orderLabel() { return this.order ? say('order', { id: this.order.order_id }) : ''; },
        get discountText() { return this.order ? '\u2212' + this.money(this.order.discount) : ''; },
        get refundedText() {
          if (!this.order) return '';
          var amount = this.order.refunded_amount ? this.money(this.order.refunded_amount) : '';
          var date = this.dateTimeOf(this.order.refunded_at);
          return amount ? say('refunded_amount', { date: date, amount: amount }) : date;
        },
        get capturedText() {
          if (!this.order || !this.order.captured_amount) return '';
          return payments.money(this.order.captured_amount, this.order.captured_currency) ||
            say('captured_amount', { amount: this.order.captured_amount, currency: this.order.captured_currency });
        },
        get canRefund() { return this.isAdmin && Boolean(this.order) && this.order.status === 'captured'; },
        get refundQuestion() {
          if (!this.order) return '';
          return say('refund_question', { amount: this.amountOf(this.order), name: this.buyerName(this.order) });
        },
        get refundButton() { return this.order ? say('refund_button', { amount: this.amountOf(this.order) }) : ''; },
        get receiptHref() {
          return this.order ? account.apiBase() + '/api/admin/orders/' + encodeURIComponent(this.order.order_id) + '/receipt.pdf' : '';
        },
        get receiptLabel() { return this.order ? say('receipt_of', { id: this.order.order_id }) : ''; }
      };
    });

    // /account/admin/coupons/: the list, (de)activation, and the new-coupon form below.
    Alpine.data('adminCoupons', function () {
      var titles = null;
      return {
        state: 'loading',
        message: '',
        notice: '',
        rowMessage: '',
        askedMe: false,
        coupons: [],
        show: 'all',
        formOpen: false,
        saving: {},

        init: function () { this.load(); },

        load: function () {
          var self = this;
          gate(this, ['admin', 'instructor']).then(function (me) {
            if (!me) return null;
            return account.api('GET', '/api/admin/coupons').then(function (result) {
              if (result.status === 401) { toSignIn(self); return; }
              if (result.status === 403) { self.state = 'forbidden'; return; }
              if (!result.ok) { self.message = errorMessage(result); self.state = 'error'; return; }
              self.coupons = result.data.coupons || [];
              self.state = 'ready';
            });
          });
        },

        toggleForm: function () {
          if (this.formOpen) { this.closeForm(); return; }
          this.formOpen = true;
          this.notice = '';
          focusRef(this, 'createTitle');
        },
        closeForm: function () { this.formOpen = false; },

        /** `coupon-created` from the form: first in the list, and said. */
        created: function (event) {
          var coupon = event.detail && event.detail.coupon;
          if (!coupon) return;
          this.coupons = [coupon].concat(this.coupons);
          this.formOpen = false;
          this.show = 'all';
          this.notice = say('created', { code: coupon.code });
          focusRef(this, 'notice');
        },

        toggle: function (coupon) {
          if (this.saving[coupon.id]) return;
          var self = this;
          var active = !coupon.active;
          this.saving[coupon.id] = true;
          this.rowMessage = '';
          this.notice = '';
          account.api('PATCH', '/api/admin/coupons/' + coupon.id, { active: active }).then(function (result) {
            self.saving[coupon.id] = false;
            if (result.status === 401) { toSignIn(self); return; }
            if (!result.ok) { self.rowMessage = errorMessage(result); return; }
            self.coupons = replaceById(self.coupons, result.data, 'id');
            self.notice = say(active ? 'enabled' : 'disabled', { code: result.data.code });
          });
        },

        // --- what the markup shows ---
        get shown() {
          var show = this.show;
          return this.coupons.filter(function (coupon) {
            return show === 'all' || (show === 'active') === Boolean(coupon.active);
          });
        },
        get hasCoupons() { return this.shown.length > 0; },
        get countText() { return sayCount('coupons_count', this.coupons.length); },
        get emptyText() { return say(this.coupons.length ? 'empty_filtered' : 'empty_all'); },
        isSaving: function (coupon) { return Boolean(this.saving[coupon.id]); },
        discountOf: function (coupon) {
          if (coupon.kind === 'fixed') return payments.money(coupon.value, coupon.currency);
          return coupon.value + '\u00a0%';
        },
        courseOf: function (coupon) {
          if (!coupon.course) return say('everything');
          if (titles === null) {
            var node = document.getElementById('admin-course-titles');
            try { titles = JSON.parse(node ? node.textContent : '{}') || {}; } catch (e) { titles = {}; }
          }
          return titles[coupon.course] || coupon.course;
        },
        usesOf: function (coupon) {
          if (coupon.max_redemptions) return say('uses_of', { used: coupon.redeemed, limit: coupon.max_redemptions });
          return say('uses_unlimited', { used: coupon.redeemed });
        },
        perUserOf: function (coupon) { return say('per_user', { n: coupon.per_user_limit }); },
        validityOf: function (coupon) {
          var from = payments.longDate(coupon.valid_from);
          var until = payments.longDate(coupon.valid_until);
          if (from && until) return say('valid_between', { from: from, until: until });
          if (from) return say('valid_from', { from: from });
          if (until) return say('valid_until', { until: until });
          return say('valid_always');
        },
        stateOf: function (coupon) {
          if (!coupon.active) return 'inactive';
          if (isPast(coupon.valid_until)) return 'expired';
          if (coupon.max_redemptions && coupon.redeemed >= coupon.max_redemptions) return 'used_up';
          if (coupon.valid_from && !isPast(coupon.valid_from)) return 'scheduled';
          return 'active';
        },
        stateLabel: function (coupon) { return say('state_' + this.stateOf(coupon)); },
        stateClass: function (coupon) { return 'is-' + this.stateOf(coupon); },
        toggleText: function (coupon) { return say(coupon.active ? 'disable' : 'enable'); },
        toggleLabel: function (coupon) { return say(coupon.active ? 'disable_label' : 'enable_label', { code: coupon.code }); }
      };
    });

    /** The body of POST /api/admin/coupons from the form's values: empty means "none". */
    function couponBody(values) {
      var body = {
        code: String(values.code).trim(),
        kind: values.kind,
        value: String(values.value).trim().replace(',', '.'), // "12,50" as typed in Spanish
        course: values.course || null
      };
      if (values.kind === 'fixed') body.currency = String(values.currency).trim().toUpperCase();
      ['valid_from', 'valid_until'].forEach(function (name) {
        if (values[name]) body[name] = values[name];
      });
      ['max_redemptions', 'per_user_limit'].forEach(function (name) {
        var text = String(values[name] === null || values[name] === undefined ? '' : values[name]).trim();
        if (text) body[name] = /^\d+$/.test(text) ? Number(text) : text; // the API says what is wrong
      });
      return body;
    }

    var EMPTY_COUPON = {
      code: '', kind: 'percent', value: '', currency: '', course: '',
      valid_from: '', valid_until: '', max_redemptions: '', per_user_limit: ''
    };

    // The new coupon: a few hints here (required fields, a currency for a fixed amount), every
    // rule at the API, whose messages appear beside their fields (`error.fields`).
    Alpine.data('couponForm', account.form({
      values: EMPTY_COUPON,
      required: ['code', 'value'],
      session: true,
      validate: function (values, errors) {
        if (values.kind === 'fixed' && !String(values.currency || '').trim()) {
          errors.currency = say('currency_required');
        }
      },
      request: function () { return ['POST', '/api/admin/coupons', couponBody(this.values)]; },
      success: function (result) {
        var values = this.values;
        Object.keys(EMPTY_COUPON).forEach(function (name) { values[name] = EMPTY_COUPON[name]; });
        this.errors = {};
        this.$dispatch('coupon-created', { coupon: result.data });
      },
      failure: function (result) {
        var error = result.error || {};
        if (error.code === 'coupon_code_taken') this.errors = { code: error.message };
      },
      methods: {
        get isFixed() { return this.values.kind === 'fixed'; },
        get valueLabel() { return say(this.isFixed ? 'value_fixed' : 'value_percent'); },
        get valueUnit() { return this.isFixed ? (String(this.values.currency || '').toUpperCase() || '\u00a4') : '%'; },
        get valueHelp() { return say(this.isFixed ? 'help_fixed' : 'help_percent'); },
        /** A course priced in one currency: a fixed amount off it is in that currency. */
        pickCourse: function (event) {
          var option = event.target.selectedOptions[0];
          var currency = option ? option.getAttribute('data-currency') : '';
          if (currency) this.values.currency = currency;
        }
      }
    }));
  });
})();
