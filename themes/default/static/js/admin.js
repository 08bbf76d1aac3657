// The admin pages: /account/admin/users/ (`adminUsers`, `instructorForm`; README, "Users
// and roles", dynamic_api/routes/admin.py), /account/admin/certificates/
// (`adminCertificates`; README, "Certificates", dynamic_api/routes/certificates.py),
// /account/admin/orders/ (`adminOrders`) and /account/admin/coupons/ (`adminCoupons`,
// `couponForm`), calling the admin payment API (README, "Payments";
// dynamic_api/routes/admin_payments.py).
//
// Loaded (deferred) by those pages only, before the Alpine CSP build; uses, once Alpine
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
      component.myRoles = me.data.roles || [];
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

  /** Copy `source`'s properties, getters included, onto `target`. */
  function mix(target, source) {
    Object.getOwnPropertyNames(source).forEach(function (key) {
      Object.defineProperty(target, key, Object.getOwnPropertyDescriptor(source, key));
    });
    return target;
  }

  /**
   * A component of an admin page, with what every one has: the header's tabs (`tabShown`,
   * `_admin.html`: a tab shows to the roles its page lets in) and email addresses in two
   * pieces, so that they wrap before the "@" (`email` in `_admin.html`).
   */
  function adminPage(factory) {
    return function () {
      return mix(factory.call(this), {
        myRoles: [],
        tabShown: function (roles) { return account.hasRole({ roles: this.myRoles }, roles.split(' ')); },
        emailName: function (email) {
          var text = String(email || '');
          var at = text.lastIndexOf('@');
          return at > 0 ? text.slice(0, at) : text;
        },
        emailDomain: function (email) {
          var text = String(email || '');
          var at = text.lastIndexOf('@');
          return at > 0 ? text.slice(at) : '';
        }
      });
    };
  }

  function isPast(value) {
    return Boolean(value) && new Date(/Z|[+-]\d\d:\d\d$/.test(value) ? value : value + 'Z').getTime() <= Date.now();
  }

  /**
   * A list page whose filters, page and open item live in the address, behind a gate:
   * spec = {roles (who may see it), path, perPage, key (the component's array),
   *         filters: {name: '' or false},
   *         params: function (filters, params) {} (the API's query, if not the filters),
   *         detail: 'user' (the address's parameter of one item; the component's
   *         `detailId`, `loadDetail()`), detailPattern: /^…$/ (its ids; numbers if not)}.
   */
  function addressList(spec) {
    var names = Object.keys(spec.filters);
    function blank() { return mix({}, spec.filters); }
    return {
      state: 'loading',
      message: '',
      notice: '',
      askedMe: false,
      meId: null,
      isAdmin: false,
      filters: blank(),
      page: 1,
      total: 0,
      loaded: false,
      busy: false,
      listMessage: '',
      detailId: '',

      init: function () {
        var self = this;
        window.addEventListener('popstate', function () {
          if (self.state === 'ready') self.fromAddress();
        });
        this.load();
      },
      /** The gate (`spec.roles`), then what the address asks for. */
      load: function () {
        var self = this;
        gate(this, spec.roles).then(function (me) {
          if (!me) return;
          self.meId = me.id;
          self.isAdmin = account.hasRole(me, ['admin']);
          self.state = 'ready';
          self.fromAddress();
        });
      },
      /** Show what the address asks for: one item, or a page of the list. */
      fromAddress: function () {
        var params = new URLSearchParams(window.location.search);
        var self = this;
        names.forEach(function (name) {
          var flag = typeof spec.filters[name] === 'boolean'; // a checkbox: ?name=true
          self.filters[name] = flag ? params.get(name) === 'true' : params.get(name) || '';
        });
        this.page = Math.max(1, parseInt(params.get('page') || '1', 10) || 1);
        var id = spec.detail ? params.get(spec.detail) || '' : '';
        this.detailId = (spec.detailPattern || /^\d{1,12}$/).test(id) ? id : '';
        this.notice = '';
        if (this.detailId) this.loadDetail(); else this.loadList();
      },
      query: function (withDetail) {
        var params = new URLSearchParams();
        var filters = this.filters;
        names.forEach(function (name) {
          var value = filters[name] === true ? 'true' : String(filters[name] || '').trim();
          if (value) params.set(name, value);
        });
        if (this.page > 1) params.set('page', String(this.page));
        if (withDetail && this.detailId) params.set(spec.detail, this.detailId);
        return params.toString();
      },
      /** Record the view in the address (a new history entry: Back returns to the last). */
      remember: function () {
        var query = this.query(true);
        window.history.pushState(null, '', window.location.pathname + (query ? '?' + query : ''));
      },
      loadList: function () {
        var self = this;
        var params = new URLSearchParams(spec.params ? '' : this.query(false));
        if (spec.params) {
          spec.params(this.filters, params);
          if (this.page > 1) params.set('page', String(this.page));
        }
        params.set('per_page', String(spec.perPage));
        this.busy = true;
        this.listMessage = '';
        return account.api('GET', spec.path + '?' + params.toString()).then(function (result) {
          self.busy = false;
          if (result.status === 401) { toSignIn(self); return; }
          if (result.status === 403) { self.state = 'forbidden'; return; }
          self[spec.key] = result.ok ? result.data.items || [] : [];
          self.total = result.ok ? result.data.total || 0 : 0;
          if (!result.ok) { self.listMessage = errorMessage(result); return; }
          self.loaded = true;
        });
      },
      search: function () {
        this.page = 1;
        this.remember();
        this.loadList();
      },
      resetFilters: function () {
        this.filters = blank();
        this.search();
      },
      previousPage: function () { this.goTo(this.page - 1); },
      nextPage: function () { this.goTo(this.page + 1); },
      goTo: function (page) {
        this.page = Math.min(Math.max(1, page), this.pages);
        this.remember();
        this.loadList();
      },
      /** One item instead of the list (the component's `loadDetail`). */
      openItem: function (id) {
        this.detailId = String(id);
        this.notice = '';
        this.remember();
        this.loadDetail();
      },
      /** Back to the list (`fresh`: asked again), the focus on the item's `data-<attr>` link. */
      closeItem: function (attr, fresh) {
        var self = this;
        var id = this.detailId;
        this.detailId = '';
        this.remember();
        var refocus = function () {
          var link = self.$root.querySelector('[data-' + attr + '="' + id + '"]');
          if (link) link.focus();
        };
        if (this.loaded && !fresh) this.$nextTick(refocus);
        else this.loadList().then(function () { self.$nextTick(refocus); });
      },
      get pages() { return Math.max(1, Math.ceil(this.total / spec.perPage)); },
      get pageText() { return say('page_of', { page: this.page, pages: this.pages }); },
      get listHref() {
        var query = this.query(false);
        return window.location.pathname + (query ? '?' + query : '');
      },
      dateOf: function (value) { return payments.longDate(value); },
      dateTimeOf: function (value) { return payments.longDate(value, true); }
    };
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
    Alpine.data('adminOrders', adminPage(function () {
      return mix(addressList({
        roles: ['admin', 'moderator'],
        path: '/api/admin/orders',
        perPage: PER_PAGE,
        key: 'orders',
        filters: { status: '', kind: '', email: '', flagged: false },
        detail: 'order',
        detailPattern: ORDER_ID
      }), {
        orders: [],
        order: null,
        detailLoading: false,
        detailMessage: '',
        confirming: false,
        reason: '',
        refunding: false,
        refundMessage: '',

        // --- one order ---
        get orderId() { return this.detailId; },
        open: function (order) {
          this.order = null;
          this.openItem(order.order_id);
        },
        close: function () {
          this.order = null;
          this.confirming = false;
          this.closeItem('order', false);
        },
        loadDetail: function () {
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
        get countText() { return this.loaded ? sayCount('orders_count', this.total) : ''; },
        detailHref: function (order) {
          return window.location.pathname + '?order=' + encodeURIComponent(order.order_id);
        },
        detailLabel: function (order) { return say('details_of', { id: order.order_id }); },
        dateOf: function (order) { return payments.longDate(order.created_at); },
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
      });
    }));

    // /account/admin/coupons/: the list, (de)activation, and the new-coupon form below.
    Alpine.data('adminCoupons', adminPage(function () {
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
    }));

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

    // --- users and certificates ------------------------------------------------------------

    var GRANTABLE = ['instructor', 'moderator', 'admin'];

    /** The roles of `user` other than `student`, which everyone has. */
    function staffRoles(user) {
      return ((user && user.roles) || []).filter(function (role) { return role !== 'student'; });
    }

    // /account/admin/users/: the list (?q=&role=&page=) or one account (?user=<id>), its
    // roles and access changed after a confirmation (`confirm`: {action, role}).
    Alpine.data('adminUsers', adminPage(function () {
      var titles = null;
      return mix(addressList({
        roles: ['admin'],
        path: '/api/admin/users',
        perPage: 20,
        key: 'users',
        filters: { q: '', role: '' },
        detail: 'user'
      }), {
        users: [],
        user: null,
        detailLoading: false,
        detailMessage: '',
        confirm: null,
        saving: false,
        confirmMessage: '',
        grantable: GRANTABLE,

        get userId() { return this.detailId; },
        open: function (row) {
          this.user = null;
          this.openItem(row.id);
        },
        close: function () {
          this.user = null;
          this.confirm = null;
          this.closeItem('user', true); // the list afresh: roles may have changed
        },
        loadDetail: function () {
          var self = this;
          this.detailLoading = true;
          this.detailMessage = '';
          this.confirm = null;
          account.api('GET', '/api/admin/users/' + this.detailId).then(function (result) {
            self.detailLoading = false;
            if (result.status === 401) { toSignIn(self); return; }
            if (!result.ok) { self.detailMessage = errorMessage(result); return; }
            self.user = result.data;
            focusRef(self, 'userTitle');
          });
        },

        // --- changes, each confirmed first ---
        askRole: function (role) { this.ask({ action: this.has(role) ? 'revoke' : 'grant', role: role }); },
        askAccess: function () { this.ask({ action: this.user.active ? 'disable' : 'enable' }); },
        ask: function (confirm) {
          this.confirm = confirm;
          this.confirmMessage = '';
          this.notice = '';
          focusRef(this, 'confirmTitle');
        },
        cancelConfirm: function () {
          this.confirm = null;
          this.confirmMessage = '';
        },
        /** PATCH the change: a role's grant or revocation sends the whole new set. */
        apply: function () {
          if (this.saving || !this.confirm || !this.user) return;
          var self = this;
          var confirm = this.confirm;
          var body;
          if (confirm.action === 'grant' || confirm.action === 'revoke') {
            var roles = staffRoles(this.user).filter(function (role) { return role !== confirm.role; });
            if (confirm.action === 'grant') roles.push(confirm.role);
            body = { roles: roles };
          } else {
            body = { active: confirm.action === 'enable' };
          }
          this.saving = true;
          this.confirmMessage = '';
          account.api('PATCH', '/api/admin/users/' + this.user.id, body).then(function (result) {
            self.saving = false;
            if (result.status === 401) { toSignIn(self); return; }
            if (!result.ok) {
              var fields = (result.error && result.error.fields) || {};
              self.confirmMessage = fields.roles || fields.active || errorMessage(result);
              return;
            }
            self.user = result.data;
            self.confirm = null;
            self.notice = self.doneText(confirm, result.data);
            focusRef(self, 'notice');
          });
        },
        doneText: function (confirm, user) {
          var done = { grant: 'granted', revoke: 'revoked', disable: 'account_disabled', enable: 'account_enabled' };
          var role = confirm.role ? this.roleLabel(confirm.role).toLowerCase() : '';
          return say(done[confirm.action], { name: user.name, role: role, role_article: say('article_' + confirm.role) });
        },
        /** `user-updated` from the instructor form. */
        updated: function (event) {
          var user = event.detail && event.detail.user;
          if (!user) return;
          this.user = user;
          this.notice = say(user.instructor_slug ? 'linked' : 'unlinked', { slug: user.instructor_slug });
        },

        // --- what the markup shows ---
        get hasUsers() { return this.users.length > 0; },
        get countText() { return this.loaded ? sayCount('users_count', this.total) : ''; },
        detailHref: function (user) { return window.location.pathname + '?user=' + user.id; },
        detailLabel: function (user) { return say('details_of', { name: user.name }); },
        staffRoles: staffRoles,
        roleLabel: function (role) { return say('role_' + role) || role; },
        roleClass: function (role) { return 'is-' + role; },
        roleHelp: function (role) { return say('help_' + role); },
        has: function (role) { return staffRoles(this.user).indexOf(role) !== -1; },
        hasRoleText: function (role) { return say(this.has(role) ? 'has_role' : 'lacks_role'); },
        hasRoleClass: function (role) { return this.has(role) ? 'is-active' : 'is-inactive'; },
        roleAction: function (role) { return say(this.has(role) ? 'revoke' : 'grant'); },
        roleActionLabel: function (role) {
          return say(this.has(role) ? 'revoke_label' : 'grant_label', { role: this.roleLabel(role).toLowerCase() });
        },
        accountLabel: function (user) { return say(!user.active ? 'disabled' : user.verified ? 'active' : 'unverified'); },
        accountClass: function (user) { return !user.active ? 'is-inactive' : user.verified ? 'is-active' : 'is-scheduled'; },
        languageOf: function (user) { return say('language_' + user.language) || user.language; },
        get rolesText() {
          var self = this;
          return ['student'].concat(staffRoles(this.user)).map(function (role) { return self.roleLabel(role); }).join(', ');
        },
        get verifiedText() { return this.user ? say(this.user.verified ? 'verified' : 'unverified') : ''; },
        get coursesText() {
          if (!this.user || !this.user.instructor_slug) return '';
          if (titles === null) {
            var node = document.getElementById('admin-course-titles');
            try { titles = JSON.parse(node ? node.textContent : '{}') || {}; } catch (e) { titles = {}; }
          }
          var courses = (this.user.instructor_courses || []).map(function (slug) { return titles[slug] || slug; });
          return this.user.instructor_slug + ': ' + (courses.length ? courses.join(', ') : say('no_courses'));
        },
        get ordersHref() {
          var here = window.location.pathname.replace(/users\/?$/, 'orders/');
          return this.user ? here + '?email=' + encodeURIComponent(this.user.email) : here;
        },
        get accessButton() { return this.user ? say(this.user.active ? 'disable' : 'enable') : ''; },
        get confirmValues() {
          var confirm = this.confirm || {};
          return {
            name: this.user ? this.user.name : '',
            role: confirm.role ? this.roleLabel(confirm.role).toLowerCase() : '',
            role_article: confirm.role ? say('article_' + confirm.role) : ''
          };
        },
        get confirmTitle() { return this.confirm ? say(this.confirm.action + '_title', this.confirmValues) : ''; },
        get confirmText() { return this.confirm ? say(this.confirm.action + '_text', this.confirmValues) : ''; },
        get confirmButton() { return this.confirm ? say(this.confirm.action + '_button', this.confirmValues) : ''; },
        get confirmDanger() { return Boolean(this.confirm) && this.confirm.action !== 'grant' && this.confirm.action !== 'enable'; },
        /** Taking your own admin role away: the page closes behind you. */
        get confirmSelf() {
          var confirm = this.confirm;
          var mine = confirm && this.user && this.user.id === this.meId && confirm.action === 'revoke' && confirm.role === 'admin';
          return mine ? say('self_admin') : '';
        }
      });
    }));

    // The account's link to an instructor of the content: PATCH {instructor_slug}; the API's
    // error (no such instructor) beside the input.
    Alpine.data('instructorForm', account.form({
      values: { instructor_slug: '' },
      session: true,
      init: function () {
        var self = this;
        this.$nextTick(function () { self.values.instructor_slug = self.$root.dataset.slug || ''; });
      },
      request: function () {
        var slug = String(this.values.instructor_slug || '').trim();
        return ['PATCH', '/api/admin/users/' + this.$root.dataset.userId, { instructor_slug: slug || null }];
      },
      success: function (result) {
        this.errors = {};
        this.$dispatch('user-updated', { user: result.data });
      }
    }));

    // /account/admin/certificates/: the list (?status=&for=course:<slug>&page=), revoke and
    // reinstate with a reason (`acting`: the certificate).
    Alpine.data('adminCertificates', adminPage(function () {
      return mix(addressList({
        roles: ['admin', 'moderator'],
        path: '/api/admin/certificates',
        perPage: 25,
        key: 'certificates',
        filters: { status: '', for: '' },
        params: function (filters, params) {
          if (filters.status) params.set('status', filters.status);
          var match = /^(course|program):([a-z0-9-]+)$/.exec(filters.for || '');
          if (match) params.set(match[1], match[2]);
        }
      }), {
        certificates: [],
        acting: null,
        reason: '',
        reasonError: '',
        saving: false,
        confirmMessage: '',

        ask: function (certificate) {
          this.acting = certificate;
          this.reason = '';
          this.reasonError = '';
          this.confirmMessage = '';
          this.notice = '';
          focusRef(this, 'confirmTitle');
        },
        cancelConfirm: function () {
          var id = this.acting ? this.acting.id : '';
          this.acting = null;
          this.refocus(id);
        },
        refocus: function (id) {
          var root = this.$root;
          this.$nextTick(function () {
            var button = root.querySelector('[data-certificate="' + id + '"]');
            if (button) button.focus();
          });
        },
        apply: function () {
          if (this.saving || !this.acting) return;
          var self = this;
          var verb = this.revoking ? 'revoke' : 'reinstate';
          var id = this.acting.id;
          var reason = String(this.reason || '').trim();
          this.confirmMessage = '';
          this.reasonError = reason.length < 3 ? say('reason_required') : '';
          if (this.reasonError) { this.focusReason(); return; }
          this.saving = true;
          var path = '/api/admin/certificates/' + encodeURIComponent(id) + '/' + verb;
          account.api('POST', path, { reason: reason }).then(function (result) {
            self.saving = false;
            if (result.status === 401) { toSignIn(self); return; }
            if (!result.ok) {
              var fields = (result.error && result.error.fields) || {};
              self.reasonError = fields.reason || '';
              self.confirmMessage = self.reasonError ? '' : errorMessage(result);
              if (self.reasonError) self.focusReason();
              return;
            }
            self.certificates = replaceById(self.certificates, result.data, 'id');
            self.acting = null;
            self.notice = say(verb === 'revoke' ? 'revoked' : 'reinstated', { id: id });
            focusRef(self, 'notice');
          });
        },
        clearReason: function () { this.reasonError = ''; },
        focusReason: function () {
          var root = this.$root;
          this.$nextTick(function () { root.querySelector('#certificate-reason').focus(); });
        },

        // --- what the markup shows ---
        get hasCertificates() { return this.certificates.length > 0; },
        get countText() { return this.loaded ? sayCount('certificates_count', this.total) : ''; },
        get revoking() { return Boolean(this.acting) && this.acting.status !== 'revoked'; },
        get verb() { return this.revoking ? 'revoke' : 'reinstate'; },
        get confirmValues() {
          var row = this.acting || {};
          return { name: row.student_name || '', title: row.title || '', id: row.id || '' };
        },
        get confirmTitle() { return this.acting ? say(this.verb + '_title', this.confirmValues) : ''; },
        get confirmText() { return this.acting ? say(this.verb + '_text', this.confirmValues) : ''; },
        get confirmButton() { return say(this.verb + '_button'); },
        get reasonLabel() { return say(this.verb + '_reason'); },
        get reasonHelp() { return say(this.verb + '_help'); },
        kindLabel: function (row) { return say('kind_' + row.kind) || row.kind; },
        statusLabel: function (row) { return say('cert_' + row.status) || row.status; },
        statusClass: function (row) { return row.status === 'valid' ? 'is-active' : row.status === 'revoked' ? 'is-inactive' : 'is-expired'; },
        reasonOf: function (row) {
          if (row.status === 'revoked' && row.revoked_reason) return say('revoked_because', { reason: row.revoked_reason });
          if (row.status !== 'revoked' && row.reinstated_reason) return say('reinstated_because', { reason: row.reinstated_reason });
          return '';
        },
        verifyHref: function (row) { return this.$root.dataset.verifyUrl + '?id=' + encodeURIComponent(row.id); },
        verifyLabel: function (row) { return say('verify_of', { id: row.id }); },
        pdfHref: function (row) { return account.apiBase() + '/api/certificates/' + encodeURIComponent(row.id) + '.pdf'; },
        pdfLabel: function (row) { return say('pdf_of', { id: row.id }); },
        actionText: function (row) { return say(row.status === 'revoked' ? 'reinstate' : 'revoke'); },
        actionLabel: function (row) { return say(row.status === 'revoked' ? 'reinstate_label' : 'revoke_label', { id: row.id }); }
      });
    }));
  });
})();
