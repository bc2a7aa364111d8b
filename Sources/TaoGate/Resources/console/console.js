/*
 * TaoGate's operator console at /admin/. It calls the admin API (/admin/keys, /admin/usage,
 * /admin/requests, /admin/providers, /admin/pricing) with the admin key, which it keeps in
 * sessionStorage (this tab only) until "Sign out". No framework, no build step; the page's CSP
 * allows only this file. Everything shown is made with textContent and createElement: nothing
 * the gateway returns is ever parsed as HTML.
 *
 * Charts are SVG bar charts drawn here from the API's totals (the gateway aggregates: the page
 * never fetches raw rows for them). Each bar carries data-label (the API's group) and
 * data-value (the number it stands for).
 *
 * Exposed for tests and the curious: window.TaoGateConsole.niceScale(max) and
 * window.TaoGateConsole.bucketLabels(from, to, grouping, timeZone).
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------------------------------------
  // UI strings

  const STRINGS = {
    en: {
      title: "TaoGate console",
      consoleName: "console",
      sections: "Sections",
      tabKeys: "Keys",
      tabUsage: "Usage",
      tabRequests: "Requests",
      tabProviders: "Providers",
      tabPricing: "Prices",
      signOut: "Sign out",
      dismiss: "Dismiss",
      otherLanguage: "中文",
      otherLanguageTag: "zh-CN",
      switchLanguage: "Switch to Chinese",

      signInTitle: "Sign in",
      adminKeyLabel: "Admin key",
      signIn: "Sign in",
      signInHint: "The gateway's TAOGATE_ADMIN_KEY. It is kept in this tab only, until you sign out or close the tab.",
      signInEmpty: "Enter the admin key.",
      signInRejected: "The admin key was not accepted.",
      signInExpired: "The admin key is no longer accepted (it may have changed). Sign in again.",
      signInSignedOut: "Signed out.",
      signInChecking: "Checking…",

      refresh: "Refresh",
      keysTitle: "Client keys",
      newKey: "New key",
      newKeyTitle: "New key",
      editKeyTitle: "Edit {name}",
      createKey: "Create key",
      saveKey: "Save changes",
      cancel: "Cancel",
      fieldName: "Name",
      fieldOwner: "Owner",
      fieldNote: "Note",
      fieldRateLimit: "Rate limit",
      rateLimitHint: "Requests per rate-limit window. Empty: the gateway's RATE_LIMIT_MAX.",
      fieldMaxConcurrent: "Max concurrent requests",
      maxConcurrentHint: "Empty: no limit.",
      fieldModels: "Allowed models",
      modelsHint: "One per line or separated by commas; a prefix ends in * (gpt-*). Empty: any model.",
      fieldExpires: "Expires at",
      expiresHint: "ISO 8601 date or time (UTC unless it says otherwise). Empty: never.",
      fieldBudgets: "Budgets",
      addBudget: "Add budget",
      removeBudget: "Remove",
      budgetsHint:
        "Tokens or money per period; at most one per period and unit. Past a budget, requests get 429. A money budget lets the key call only models priced in its currency.",
      budgetPeriod: "Period",
      budgetUnit: "Unit",
      budgetAmount: "Amount",
      periodTotal: "Total",
      periodDaily: "Daily",
      periodMonthly: "Monthly",
      unitTokens: "tokens",
      budgetUsageTitle: "Budget use in the current period",
      budgetUsageLine: "{budget}: {used} used, {remaining} left",
      renews: "renews {time}",
      neverRenews: "never renews",
      nameRequired: "A key needs a name.",
      notANumber: "{field}: enter a whole number, or leave it empty.",
      budgetAmountMissing: "Each budget needs an amount.",
      nothingChanged: "Nothing was changed.",
      keyCreated: "Created the key {name}.",
      keySaved: "Saved the key {name}.",
      keyRevoked: "Revoked the key {name}.",

      secretTitle: "The new key's secret",
      secretOnce: "Copy it now: it is shown only this once and cannot be seen again.",
      copy: "Copy",
      copied: "Copied.",
      copyFailed: "Could not copy: select the secret and copy it by hand.",
      secretDone: "I have copied it",

      colName: "Name",
      colId: "ID",
      colStatus: "Status",
      colLimits: "Limits",
      colBudgets: "Budgets",
      colModels: "Models",
      colExpires: "Expires",
      colCreated: "Created",
      colActions: "Actions",
      keysEmpty: "No client keys yet.",
      statusActive: "active",
      statusRevoked: "revoked",
      statusExpired: "expired",
      fromEnvironment: "From TAOGATE_API_KEYS: change it there.",
      rateLimitShort: "{n} per window",
      concurrentShort: "{n} at once",
      noLimits: "Gateway defaults",
      noBudgets: "None",
      anyModel: "Any model",
      noModel: "No model",
      never: "Never",
      edit: "Edit",
      revoke: "Revoke",
      revokeTitle: "Revoke this key?",
      revokeText: "Revoke {name} ({id})? Requests with it get 401 at once. This cannot be undone.",
      revokeConfirm: "Revoke",

      usageTitle: "Usage",
      downloadCSV: "Download CSV",
      range: "Range",
      last24h: "Last 24 hours",
      last7d: "Last 7 days",
      last30d: "Last 30 days",
      last90d: "Last 90 days",
      last365d: "Last 365 days",
      groupBy: "Group by",
      byDay: "Per day",
      byHour: "Per hour",
      byModel: "Per model",
      byKey: "Per key",
      filterKey: "Key",
      filterModel: "Model",
      allKeys: "All keys",
      allModels: "All models",
      rangeText: "From {from} to {to}; days and hours in {zone}.",
      usageEmpty: "No usage in this range.",
      totalRequests: "Requests",
      totalTokens: "Tokens",
      totalPrompt: "Prompt tokens",
      totalCompletion: "Completion tokens",
      totalCacheRead: "Cache read",
      totalCacheWrite: "Cache write",
      totalReasoning: "Reasoning",
      totalCost: "Cost ({currency})",
      totalUnpriced: "Unpriced requests",
      chartTokens: "Tokens {grouping}",
      chartCost: "Cost in {currency} {grouping}",
      groupingday: "per day",
      groupinghour: "per hour",
      groupingmodel: "per model",
      groupingkey: "per key",
      noCost: "No priced requests in this range: cost is unknown for {n} unpriced requests.",
      unpricedNote: "{n} requests had no price and are not in the cost.",
      otherGroups: "{n} others",
      anonymous: "without a key",
      unknownModel: "unknown model",
      colGroupday: "Day",
      colGrouphour: "Hour",
      colGroupmodel: "Model",
      colGroupkey: "Key",
      colRequests: "Requests",
      colCacheRead: "Cache read",
      colCacheWrite: "Cache write",
      colReasoning: "Reasoning",
      colUnpriced: "Unpriced",

      requestsTitle: "Recent requests",
      newest: "Newest",
      filterStatus: "Status",
      statusAll: "All",
      statusSuccess: "Succeeded",
      statusError: "Failed",
      pageSize: "Rows per page",
      colTime: "Time",
      colKey: "Key",
      colModel: "Model",
      colProvider: "Provider",
      colHTTP: "Status",
      colLatency: "Latency",
      colDuration: "Duration",
      colPrompt: "Prompt",
      colCompletion: "Completion",
      colCost: "Cost",
      colFlags: "Notes",
      streamed: "streamed",
      cancelled: "cancelled",
      requestsEmpty: "No requests.",
      newer: "Newer",
      older: "Older",
      page: "Page {n}",
      ms: "{n} ms",

      providersTitle: "Provider health",
      providersWindow: "Calls, errors and latency of the last {minutes} minutes.",
      colAPIs: "APIs",
      colProviderKey: "Provider key",
      colCircuit: "Circuit",
      colCooling: "Cooling down",
      colCalls: "Calls",
      colErrors: "Errors",
      colErrorRate: "Error rate",
      colLatencyAvg: "Latency (avg)",
      colLatencyP95: "Latency (p95)",
      circuitclosed: "closed",
      circuitopen: "open",
      circuithalf_open: "half open",
      yes: "yes",
      no: "no",
      providersEmpty: "No providers are configured.",

      pricingTitle: "Prices",
      reloadPrices: "Reload prices",
      pricingHint:
        "Prices per 1M tokens, from the providers file (TAOGATE_CONFIG). A provider's own prices come before the shared ones; calls of a model without a price are counted as unpriced.",
      pricingShared: "Shared prices ({currency})",
      pricingProvider: "Provider {name} ({currency})",
      pricingEmpty: "No prices are configured: costs are unknown.",
      pricingReloaded: "Prices reloaded: {n} priced models.",
      colPattern: "Model",
      colInput: "Input",
      colOutput: "Output",
      colCachedInput: "Cached input",
      colReasoningPrice: "Reasoning",
      sameAsInput: "= input",
      sameAsOutput: "= output",
      pricingDefault: "any other model",

      errNetworkTitle: "Cannot reach the gateway.",
      errNetworkDetail: "Check that TaoGate is running and the network works, then try again.",
      errDatabaseTitle: "The database is unavailable.",
      errUnavailableTitle: "The gateway is unavailable.",
      errRateTitle: "Too many requests.",
      errNotFoundTitle: "Not found.",
      errInvalidTitle: "The gateway refused the request.",
      errGenericTitle: "The request failed.",
      errStatus: "The gateway answered HTTP {status}.",
      retryIn: "Try again in {seconds} seconds.",
      errBadAnswer: "The gateway's answer could not be read.",
    },
    zh: {
      title: "TaoGate 控制台",
      consoleName: "控制台",
      sections: "栏目",
      tabKeys: "密钥",
      tabUsage: "用量",
      tabRequests: "请求",
      tabProviders: "服务商",
      tabPricing: "价格",
      signOut: "退出登录",
      dismiss: "关闭",
      otherLanguage: "English",
      otherLanguageTag: "en",
      switchLanguage: "切换到英文",

      signInTitle: "登录",
      adminKeyLabel: "管理密钥",
      signIn: "登录",
      signInHint: "即网关的 TAOGATE_ADMIN_KEY。它只保存在当前标签页中，退出登录或关闭标签页即清除。",
      signInEmpty: "请输入管理密钥。",
      signInRejected: "管理密钥未被接受。",
      signInExpired: "管理密钥已不再被接受（可能已更换），请重新登录。",
      signInSignedOut: "已退出登录。",
      signInChecking: "正在验证…",

      refresh: "刷新",
      keysTitle: "客户端密钥",
      newKey: "新建密钥",
      newKeyTitle: "新建密钥",
      editKeyTitle: "编辑 {name}",
      createKey: "创建密钥",
      saveKey: "保存修改",
      cancel: "取消",
      fieldName: "名称",
      fieldOwner: "负责人",
      fieldNote: "备注",
      fieldRateLimit: "速率限制",
      rateLimitHint: "每个限流窗口内的请求数。留空：使用网关的 RATE_LIMIT_MAX。",
      fieldMaxConcurrent: "最大并发请求数",
      maxConcurrentHint: "留空：不限制。",
      fieldModels: "允许的模型",
      modelsHint: "每行一个或用逗号分隔；以 * 结尾表示前缀（gpt-*）。留空：任意模型。",
      fieldExpires: "过期时间",
      expiresHint: "ISO 8601 日期或时间（未注明时区时为 UTC）。留空：永不过期。",
      fieldBudgets: "预算",
      addBudget: "添加预算",
      removeBudget: "删除",
      budgetsHint: "按周期限制令牌数或金额；每个周期和单位最多一项。超出预算的请求返回 429。设有金额预算的密钥只能调用以该币种定价的模型。",
      budgetPeriod: "周期",
      budgetUnit: "单位",
      budgetAmount: "额度",
      periodTotal: "总计",
      periodDaily: "每日",
      periodMonthly: "每月",
      unitTokens: "令牌",
      budgetUsageTitle: "本周期预算使用情况",
      budgetUsageLine: "{budget}：已用 {used}，剩余 {remaining}",
      renews: "{time} 重置",
      neverRenews: "不重置",
      nameRequired: "密钥需要一个名称。",
      notANumber: "{field}：请输入整数，或留空。",
      budgetAmountMissing: "每项预算都需要额度。",
      nothingChanged: "没有任何修改。",
      keyCreated: "已创建密钥 {name}。",
      keySaved: "已保存密钥 {name}。",
      keyRevoked: "已吊销密钥 {name}。",

      secretTitle: "新密钥的密文",
      secretOnce: "请立即复制：它只显示这一次，之后无法再查看。",
      copy: "复制",
      copied: "已复制。",
      copyFailed: "无法复制：请手动选中密文并复制。",
      secretDone: "我已复制",

      colName: "名称",
      colId: "ID",
      colStatus: "状态",
      colLimits: "限制",
      colBudgets: "预算",
      colModels: "模型",
      colExpires: "过期",
      colCreated: "创建时间",
      colActions: "操作",
      keysEmpty: "还没有客户端密钥。",
      statusActive: "有效",
      statusRevoked: "已吊销",
      statusExpired: "已过期",
      fromEnvironment: "来自 TAOGATE_API_KEYS：请在那里修改。",
      rateLimitShort: "每窗口 {n} 次",
      concurrentShort: "并发 {n}",
      noLimits: "网关默认",
      noBudgets: "无",
      anyModel: "任意模型",
      noModel: "不允许任何模型",
      never: "永不",
      edit: "编辑",
      revoke: "吊销",
      revokeTitle: "吊销此密钥？",
      revokeText: "吊销 {name}（{id}）？使用它的请求会立即收到 401。此操作无法撤销。",
      revokeConfirm: "吊销",

      usageTitle: "用量",
      downloadCSV: "下载 CSV",
      range: "时间范围",
      last24h: "最近 24 小时",
      last7d: "最近 7 天",
      last30d: "最近 30 天",
      last90d: "最近 90 天",
      last365d: "最近 365 天",
      groupBy: "分组方式",
      byDay: "按天",
      byHour: "按小时",
      byModel: "按模型",
      byKey: "按密钥",
      filterKey: "密钥",
      filterModel: "模型",
      allKeys: "全部密钥",
      allModels: "全部模型",
      rangeText: "从 {from} 到 {to}；日期和小时按 {zone} 计算。",
      usageEmpty: "此时间范围内没有用量。",
      totalRequests: "请求数",
      totalTokens: "令牌数",
      totalPrompt: "输入令牌",
      totalCompletion: "输出令牌",
      totalCacheRead: "缓存读取",
      totalCacheWrite: "缓存写入",
      totalReasoning: "推理",
      totalCost: "费用（{currency}）",
      totalUnpriced: "未定价请求",
      chartTokens: "令牌数（{grouping}）",
      chartCost: "{currency} 费用（{grouping}）",
      groupingday: "按天",
      groupinghour: "按小时",
      groupingmodel: "按模型",
      groupingkey: "按密钥",
      noCost: "此时间范围内没有已定价的请求：{n} 个未定价请求的费用未知。",
      unpricedNote: "{n} 个请求没有价格，未计入费用。",
      otherGroups: "其他 {n} 项",
      anonymous: "无密钥",
      unknownModel: "未知模型",
      colGroupday: "日期",
      colGrouphour: "小时",
      colGroupmodel: "模型",
      colGroupkey: "密钥",
      colRequests: "请求数",
      colCacheRead: "缓存读取",
      colCacheWrite: "缓存写入",
      colReasoning: "推理",
      colUnpriced: "未定价",

      requestsTitle: "最近的请求",
      newest: "最新",
      filterStatus: "状态",
      statusAll: "全部",
      statusSuccess: "成功",
      statusError: "失败",
      pageSize: "每页行数",
      colTime: "时间",
      colKey: "密钥",
      colModel: "模型",
      colProvider: "服务商",
      colHTTP: "状态码",
      colLatency: "延迟",
      colDuration: "耗时",
      colPrompt: "输入",
      colCompletion: "输出",
      colCost: "费用",
      colFlags: "说明",
      streamed: "流式",
      cancelled: "已取消",
      requestsEmpty: "没有请求。",
      newer: "较新",
      older: "更早",
      page: "第 {n} 页",
      ms: "{n} 毫秒",

      providersTitle: "服务商健康状况",
      providersWindow: "最近 {minutes} 分钟的调用、错误和延迟。",
      colAPIs: "接口",
      colProviderKey: "服务商密钥",
      colCircuit: "熔断器",
      colCooling: "冷却中",
      colCalls: "调用",
      colErrors: "错误",
      colErrorRate: "错误率",
      colLatencyAvg: "平均延迟",
      colLatencyP95: "P95 延迟",
      circuitclosed: "闭合",
      circuitopen: "断开",
      circuithalf_open: "半开",
      yes: "是",
      no: "否",
      providersEmpty: "没有配置服务商。",

      pricingTitle: "价格",
      reloadPrices: "重新加载价格",
      pricingHint: "每百万令牌的价格，来自服务商配置文件（TAOGATE_CONFIG）。服务商自己的价格优先于共享价格；没有价格的模型的调用记为未定价。",
      pricingShared: "共享价格（{currency}）",
      pricingProvider: "服务商 {name}（{currency}）",
      pricingEmpty: "没有配置价格：费用未知。",
      pricingReloaded: "价格已重新加载：{n} 个已定价模型。",
      colPattern: "模型",
      colInput: "输入",
      colOutput: "输出",
      colCachedInput: "缓存输入",
      colReasoningPrice: "推理",
      sameAsInput: "= 输入",
      sameAsOutput: "= 输出",
      pricingDefault: "其他所有模型",

      errNetworkTitle: "无法连接到网关。",
      errNetworkDetail: "请确认 TaoGate 正在运行且网络正常，然后重试。",
      errDatabaseTitle: "数据库不可用。",
      errUnavailableTitle: "网关暂时不可用。",
      errRateTitle: "请求过于频繁。",
      errNotFoundTitle: "未找到。",
      errInvalidTitle: "网关拒绝了请求。",
      errGenericTitle: "请求失败。",
      errStatus: "网关返回了 HTTP {status}。",
      retryIn: "请在 {seconds} 秒后重试。",
      errBadAnswer: "无法读取网关的回答。",
    },
  };

  // ---------------------------------------------------------------------------------------------
  // State and elements

  const TABS = ["keys", "usage", "requests", "providers", "pricing"];
  const SESSION_KEY = "taogate.adminKey"; // sessionStorage only: never localStorage
  const LANGUAGE_KEY = "taogate.language"; // shared with the chat page
  const MAX_CATEGORY_BARS = 20;
  const MAX_TIME_BUCKETS = 2000;
  const SVG_NS = "http://www.w3.org/2000/svg";

  const state = {
    language: "en",
    adminKey: null,
    memoryKey: null, // when sessionStorage is unavailable
    tab: "keys",
    keys: [], // the last GET /admin/keys
    keysLoaded: false,
    editing: null, // { key, initial } while the form edits a key
    revoking: null,
    usage: null, // the last GET /admin/usage answer
    usageGroup: "day",
    requests: null, // the last GET /admin/requests answer
    requestsBefore: null, // the `before` of the page shown (null: the newest)
    requestsHistory: [], // the `before`s of the newer pages
    providers: null,
    pricing: null,
    banner: null, // { failure, source }
    signInMessage: null, // { key, detail, code }
    loadTokens: {},
    providersTimer: null,
  };
  const ui = {};

  function t(key, values) {
    const text = (STRINGS[state.language] || STRINGS.en)[key] ?? STRINGS.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (match, name) => (values && name in values ? String(values[name]) : match));
  }

  function locale() {
    return state.language === "zh" ? "zh-CN" : "en";
  }

  // ---------------------------------------------------------------------------------------------
  // Storage

  function loadAdminKey() {
    try {
      return window.sessionStorage.getItem(SESSION_KEY);
    } catch (error) {
      return state.memoryKey;
    }
  }

  function saveAdminKey(key) {
    state.adminKey = key;
    try {
      if (key) window.sessionStorage.setItem(SESSION_KEY, key);
      else window.sessionStorage.removeItem(SESSION_KEY);
    } catch (error) {
      state.memoryKey = key;
    }
  }

  function loadLanguage() {
    try {
      return window.localStorage.getItem(LANGUAGE_KEY);
    } catch (error) {
      return null;
    }
  }

  function saveLanguage(language) {
    try {
      window.localStorage.setItem(LANGUAGE_KEY, language);
    } catch (error) {
      /* remembered for this page only */
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Formatting

  function formatNumber(value, options) {
    if (value === null || value === undefined || Number.isNaN(value)) return "—";
    return new Intl.NumberFormat(locale(), options || { maximumFractionDigits: 2 }).format(value);
  }

  function formatCompact(value) {
    return new Intl.NumberFormat(locale(), { notation: "compact", maximumFractionDigits: 2 }).format(value);
  }

  function formatMoney(value, currency) {
    if (value === null || value === undefined) return "—";
    try {
      return new Intl.NumberFormat(locale(), {
        style: "currency",
        currency,
        minimumFractionDigits: 2,
        maximumFractionDigits: 6,
      }).format(value);
    } catch (error) {
      return formatNumber(value, { maximumFractionDigits: 6 }) + " " + currency;
    }
  }

  function formatTime(iso) {
    if (!iso) return "—";
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(date);
  }

  function formatTimeWithSeconds(iso) {
    if (!iso) return "—";
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return iso;
    return new Intl.DateTimeFormat(locale(), { dateStyle: "short", timeStyle: "medium" }).format(date);
  }

  function formatMilliseconds(value) {
    if (value === null || value === undefined) return "—";
    return t("ms", { n: formatNumber(value, { maximumFractionDigits: value < 10 ? 1 : 0 }) });
  }

  function periodName(period) {
    return t({ total: "periodTotal", daily: "periodDaily", monthly: "periodMonthly" }[period] || "periodTotal");
  }

  function budgetAmountText(budget) {
    if (budget.currency) return formatMoney(budget.amount, budget.currency);
    return formatNumber(budget.tokens) + " " + t("unitTokens");
  }

  function budgetText(budget) {
    return periodName(budget.period) + " " + budgetAmountText(budget);
  }

  function keyName(id) {
    if (id === "anonymous") return t("anonymous");
    const key = state.keys.find((candidate) => candidate.id === id);
    return key && key.source !== "environment" ? key.name : id;
  }

  // ---------------------------------------------------------------------------------------------
  // DOM helpers

  function element(tag, options, children) {
    const node = document.createElement(tag);
    if (options) {
      for (const [name, value] of Object.entries(options)) {
        if (value === null || value === undefined || value === false) continue;
        if (name === "text") node.textContent = value;
        else if (name === "className") node.className = value;
        else if (name === "dataset") Object.assign(node.dataset, value);
        else node.setAttribute(name, value === true ? "" : value);
      }
    }
    for (const child of children || []) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  function svg(tag, attributes, children) {
    const node = document.createElementNS(SVG_NS, tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined) continue;
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, String(value));
    }
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  function cell(text, className, dataset) {
    return element("td", { text, className, dataset });
  }

  function show(node, visible) {
    node.hidden = !visible;
  }

  function setStatus(node, text) {
    node.textContent = text || "";
  }

  // ---------------------------------------------------------------------------------------------
  // Talking to the gateway

  class Failure extends Error {
    // kind: "network" (no answer), "http" (an error answer), "answer" (an unreadable answer)
    constructor(kind, details) {
      super((details && details.message) || kind);
      this.kind = kind;
      this.status = (details && details.status) || null;
      this.code = (details && details.code) || null;
      this.serverMessage = (details && details.message) || "";
      this.param = (details && details.param) || null;
      this.retryAfter = details && details.retryAfter != null ? details.retryAfter : null;
    }
  }

  function acceptLanguage() {
    return state.language === "zh" ? "zh-CN,zh;q=0.9" : "en";
  }

  // One admin call. `key` overrides the signed-in key (signing in); a 401 signs out.
  async function api(method, path, options) {
    const opts = options || {};
    const key = opts.key || state.adminKey;
    const headers = { Accept: opts.accept || "application/json", "Accept-Language": acceptLanguage() };
    if (key) headers.Authorization = "Bearer " + key;
    const init = { method, headers, cache: "no-store", credentials: "same-origin" };
    if (opts.body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(opts.body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      throw new Failure("network");
    }
    if (!response.ok) {
      const failure = await failureFrom(response);
      if (failure.status === 401 && !opts.key) signOut("signInExpired", failure);
      throw failure;
    }
    try {
      if (opts.accept === "text/csv") return await response.text();
      return await response.json();
    } catch (error) {
      throw new Failure("answer", { status: response.status });
    }
  }

  async function failureFrom(response) {
    let body = null;
    try {
      body = await response.json();
    } catch (error) {
      body = null;
    }
    return new Failure("http", {
      status: response.status,
      code: body && typeof body.code === "string" ? body.code : null,
      message: body && typeof body.error === "string" ? body.error : "",
      param: body && typeof body.param === "string" ? body.param : null,
      retryAfter: retryAfterSeconds(response.headers.get("Retry-After")),
    });
  }

  function retryAfterSeconds(value) {
    if (!value) return null;
    const text = value.trim();
    if (/^\d+$/.test(text)) return parseInt(text, 10);
    const date = Date.parse(text);
    return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
  }

  function describeFailure(failure) {
    const message = failure.serverMessage;
    if (failure.kind === "network") return [t("errNetworkTitle"), t("errNetworkDetail")];
    if (failure.kind === "answer") return [t("errGenericTitle"), t("errBadAnswer")];
    if (failure.code === "database_unavailable") return [t("errDatabaseTitle"), message];
    if (failure.status === 429) {
      const wait = failure.retryAfter != null ? t("retryIn", { seconds: failure.retryAfter }) : "";
      return [t("errRateTitle"), [message, wait].filter(Boolean).join(" ")];
    }
    if (failure.status === 503) return [t("errUnavailableTitle"), message];
    if (failure.status === 404) return [t("errNotFoundTitle"), message];
    if (failure.status === 400) return [t("errInvalidTitle"), message];
    return [t("errGenericTitle"), message || (failure.status ? t("errStatus", { status: failure.status }) : "")];
  }

  // ---------------------------------------------------------------------------------------------
  // The banner: what went wrong outside a form (the database away, the network, …)

  function showBanner(failure, source) {
    state.banner = { failure, source };
    renderBanner();
  }

  function clearBanner(source) {
    if (!state.banner) return;
    if (source && state.banner.source !== source) return;
    state.banner = null;
    renderBanner();
  }

  function renderBanner() {
    const banner = state.banner;
    show(ui.banner, Boolean(banner));
    if (!banner) {
      delete ui.banner.dataset.code;
      delete ui.banner.dataset.status;
      delete ui.banner.dataset.source;
      ui.bannerTitle.textContent = "";
      ui.bannerDetail.textContent = "";
      return;
    }
    const [title, detail] = describeFailure(banner.failure);
    ui.bannerTitle.textContent = title;
    ui.bannerDetail.textContent = detail;
    ui.banner.dataset.code = banner.failure.code || banner.failure.kind;
    if (banner.failure.status) ui.banner.dataset.status = String(banner.failure.status);
    else delete ui.banner.dataset.status;
    ui.banner.dataset.source = banner.source || "";
  }

  // A failure of `source`: a 401 has already signed out; a form shows a 400 next to itself.
  function reportFailure(failure, source, formError) {
    if (!(failure instanceof Failure)) {
      console.error(failure); // a bug of this page, not an answer of the gateway
      failure = new Failure("answer");
    }
    if (failure.status === 401) return;
    if (formError && (failure.status === 400 || failure.status === 404 || failure.status === 409)) {
      showFormError(formError, failure.serverMessage || describeFailure(failure)[1], failure.code);
      return;
    }
    showBanner(failure, source);
  }

  function showFormError(node, text, code) {
    node.textContent = text;
    node.dataset.code = code || "";
    show(node, Boolean(text));
  }

  function clearFormError(node) {
    node.textContent = "";
    delete node.dataset.code;
    show(node, false);
  }

  // ---------------------------------------------------------------------------------------------
  // Panels: each load sets data-state (loading, ready, error) and counts data-loads

  async function load(panel, work) {
    const section = ui.panels[panel];
    const token = (state.loadTokens[panel] || 0) + 1;
    state.loadTokens[panel] = token;
    section.dataset.state = "loading";
    section.setAttribute("aria-busy", "true");
    let outcome = "ready";
    try {
      await work(() => state.loadTokens[panel] === token);
      if (state.loadTokens[panel] === token) clearBanner(panel);
    } catch (failure) {
      outcome = "error";
      if (state.loadTokens[panel] === token && state.adminKey) reportFailure(failure, panel);
    } finally {
      if (state.loadTokens[panel] === token) {
        section.dataset.state = outcome;
        section.removeAttribute("aria-busy");
        section.dataset.loads = String(Number(section.dataset.loads || "0") + 1);
      }
    }
  }

  function loadPanel(panel) {
    if (!state.adminKey) return Promise.resolve();
    switch (panel) {
      case "keys":
        return load("keys", loadKeys);
      case "usage":
        return load("usage", loadUsage);
      case "requests":
        return load("requests", loadRequests);
      case "providers":
        return load("providers", loadProviders);
      case "pricing":
        return load("pricing", loadPricing);
      default:
        return Promise.resolve();
    }
  }

  function selectTab(tab, options) {
    if (!TABS.includes(tab)) tab = "keys";
    state.tab = tab;
    for (const button of ui.tabs.querySelectorAll("[data-tab]")) {
      const selected = button.dataset.tab === tab;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
    }
    for (const [name, section] of Object.entries(ui.panels)) show(section, name === tab);
    if (!options || options.updateHash !== false) {
      try {
        window.history.replaceState(null, "", "#" + tab);
      } catch (error) {
        /* the hash is a convenience */
      }
    }
    if (!options || options.load !== false) loadPanel(tab);
  }

  function onTabKeydown(event) {
    const index = TABS.indexOf(state.tab);
    let next = null;
    if (event.key === "ArrowRight") next = TABS[(index + 1) % TABS.length];
    if (event.key === "ArrowLeft") next = TABS[(index + TABS.length - 1) % TABS.length];
    if (!next) return;
    event.preventDefault();
    selectTab(next);
    ui.tabs.querySelector('[data-tab="' + next + '"]').focus();
  }

  // ---------------------------------------------------------------------------------------------
  // Signing in and out

  function renderSignedIn() {
    const signedIn = Boolean(state.adminKey);
    document.body.dataset.state = signedIn ? "signed-in" : "signed-out";
    show(ui.signin, !signedIn);
    show(ui.console, signedIn);
    show(ui.tabs, signedIn);
    show(ui.signOut, signedIn);
    renderSignInMessage();
  }

  function renderSignInMessage() {
    const message = state.signInMessage;
    if (!message) {
      clearFormError(ui.signinError);
      return;
    }
    const detail = message.failure ? describeFailure(message.failure) : null;
    let text = t(message.key);
    if (message.failure && message.failure.status !== 401 && detail) text = detail.filter(Boolean).join(" ");
    else if (message.failure && message.failure.serverMessage) text += " " + message.failure.serverMessage;
    showFormError(ui.signinError, text, message.failure ? message.failure.code || message.failure.kind : message.key);
    ui.signinError.classList.toggle("info", message.key === "signInSignedOut");
  }

  async function signIn(event) {
    event.preventDefault();
    const key = ui.adminKey.value.trim();
    if (!key) {
      state.signInMessage = { key: "signInEmpty" };
      renderSignInMessage();
      ui.adminKey.focus();
      return;
    }
    ui.signinSubmit.disabled = true;
    ui.signinSubmit.textContent = t("signInChecking");
    try {
      // /admin/providers needs no database: a key is checked even when the database is away.
      await api("GET", "/admin/providers", { key });
    } catch (failure) {
      state.signInMessage = { key: failure.status === 401 ? "signInRejected" : "errGenericTitle", failure };
      renderSignInMessage();
      ui.adminKey.select();
      return;
    } finally {
      ui.signinSubmit.disabled = false;
      ui.signinSubmit.textContent = t("signIn");
    }
    ui.adminKey.value = "";
    state.signInMessage = null;
    saveAdminKey(key);
    renderSignedIn();
    selectTab(state.tab);
  }

  // Forgets the key and everything shown with it.
  function signOut(reason, failure) {
    saveAdminKey(null);
    state.keys = [];
    state.keysLoaded = false;
    state.usage = null;
    state.requests = null;
    state.requestsBefore = null;
    state.requestsHistory = [];
    state.providers = null;
    state.pricing = null;
    state.editing = null;
    state.loadTokens = {};
    hideSecret();
    closeKeyForm();
    if (ui.confirm.open) ui.confirm.close();
    state.banner = null;
    renderBanner();
    for (const node of [ui.keysBody, ui.usageSummary, ui.usageCharts, ui.usageBody, ui.usageHead, ui.requestsBody, ui.providersBody, ui.pricingContent]) {
      node.replaceChildren();
    }
    for (const node of [ui.keysStatus, ui.pricingStatus, ui.usageRangeText, ui.requestsPage, ui.providersWindow]) setStatus(node, "");
    for (const section of Object.values(ui.panels)) section.dataset.state = "idle";
    state.signInMessage = reason ? { key: reason, failure } : null;
    renderSignedIn();
    ui.adminKey.focus();
  }

  // ---------------------------------------------------------------------------------------------
  // Keys

  async function loadKeys(current) {
    const data = await api("GET", "/admin/keys");
    if (!current()) return;
    state.keys = Array.isArray(data.keys) ? data.keys : [];
    state.keysLoaded = true;
    renderKeys();
    renderKeyOptions();
  }

  async function ensureKeys() {
    if (state.keysLoaded) return;
    try {
      const data = await api("GET", "/admin/keys");
      state.keys = Array.isArray(data.keys) ? data.keys : [];
      state.keysLoaded = true;
      renderKeyOptions();
    } catch (failure) {
      if (failure.status === 401) throw failure;
      // Key names are a nicety here: ids are shown instead.
    }
  }

  function statusLabel(status) {
    return t({ active: "statusActive", revoked: "statusRevoked", expired: "statusExpired" }[status] || "statusActive");
  }

  function renderKeys() {
    ui.keysBody.replaceChildren();
    for (const key of state.keys) ui.keysBody.append(keyRow(key));
    show(ui.keysEmpty, state.keys.length === 0);
  }

  function keyRow(key) {
    const row = element("tr", { dataset: { keyId: key.id, status: key.status, source: key.source } });
    const details = [key.owner, key.note].filter(Boolean).join(" · ");
    row.append(
      element("td", { className: "key-name" }, [
        element("strong", { text: key.name }),
        details ? element("div", { className: "muted", text: details }) : null,
      ]),
      element("td", {}, [
        element("code", { text: key.id }),
        key.prefix ? element("div", { className: "muted", text: key.prefix + "…" }) : null,
      ]),
      element("td", {}, [element("span", { className: "badge status-" + key.status, text: statusLabel(key.status), dataset: { status: key.status } })]),
      cell(limitsText(key), null, { field: "limits" }),
      element("td", { dataset: { field: "budgets" } }, budgetsList(key.budgets)),
      cell(modelsText(key.allowed_models), null, { field: "models" }),
      cell(key.expires_at ? formatTime(key.expires_at) : t("never"), null, { field: "expires" }),
      cell(formatTime(key.created_at)),
      element("td", { className: "row-actions" }, keyActions(key))
    );
    if (key.expires_at) row.children[6].title = key.expires_at;
    return row;
  }

  function limitsText(key) {
    const parts = [];
    if (key.rate_limit != null) parts.push(t("rateLimitShort", { n: formatNumber(key.rate_limit) }));
    if (key.max_concurrent != null) parts.push(t("concurrentShort", { n: formatNumber(key.max_concurrent) }));
    return parts.length ? parts.join(", ") : t("noLimits");
  }

  function budgetsList(budgets) {
    if (!Array.isArray(budgets) || budgets.length === 0) return [t("noBudgets")];
    return budgets.map((budget) => element("div", { text: budgetText(budget) }));
  }

  function modelsText(models) {
    if (models === null || models === undefined) return t("anyModel");
    if (models.length === 0) return t("noModel");
    return models.join(", ");
  }

  function keyActions(key) {
    if (key.source === "environment") return [element("span", { className: "muted", text: t("fromEnvironment") })];
    if (key.status === "revoked") return [];
    return [
      element("button", { type: "button", text: t("edit"), dataset: { action: "edit", keyId: key.id } }),
      element("button", { type: "button", className: "danger", text: t("revoke"), dataset: { action: "revoke", keyId: key.id } }),
    ];
  }

  function onKeysClick(event) {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const key = state.keys.find((candidate) => candidate.id === button.dataset.keyId);
    if (!key) return;
    if (button.dataset.action === "edit") openEditForm(key);
    if (button.dataset.action === "revoke") askToRevoke(key);
  }

  // The form: create and edit

  const FORM_FIELDS = ["name", "owner", "note", "rate_limit", "max_concurrent", "allowed_models", "expires_at", "budgets"];

  function openCreateForm() {
    hideSecret();
    state.editing = null;
    fillKeyForm({ name: "", owner: null, note: null, rate_limit: null, max_concurrent: null, budgets: [], allowed_models: null, expires_at: null });
    ui.keyForm.dataset.mode = "create";
    delete ui.keyForm.dataset.keyId;
    renderKeyFormTitle();
    show(ui.kfUsage, false);
    show(ui.keyForm, true);
    ui.kfName.focus();
  }

  async function openEditForm(key) {
    hideSecret();
    state.editing = { key, initial: null };
    fillKeyForm(key);
    state.editing.initial = formSnapshot();
    ui.keyForm.dataset.mode = "edit";
    ui.keyForm.dataset.keyId = key.id;
    renderKeyFormTitle();
    show(ui.kfUsage, false);
    show(ui.keyForm, true);
    ui.kfName.focus();
    try {
      const data = await api("GET", "/admin/keys/" + encodeURIComponent(key.id));
      if (state.editing && state.editing.key.id === key.id) renderBudgetUsage(data.key && data.key.budget_usage);
    } catch (failure) {
      if (state.editing && state.editing.key.id === key.id) reportFailure(failure, "keys", ui.kfError);
    }
  }

  function renderKeyFormTitle() {
    const editing = ui.keyForm.dataset.mode === "edit" && state.editing;
    ui.keyFormTitle.textContent = editing ? t("editKeyTitle", { name: state.editing.key.name }) : t("newKeyTitle");
    ui.kfSubmit.textContent = editing ? t("saveKey") : t("createKey");
  }

  function closeKeyForm() {
    state.editing = null;
    show(ui.keyForm, false);
    clearFormError(ui.kfError);
    ui.kfBudgetRows.replaceChildren();
  }

  function fillKeyForm(key) {
    clearFormError(ui.kfError);
    for (const input of ui.keyForm.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    ui.kfName.value = key.name || "";
    ui.kfOwner.value = key.owner || "";
    ui.kfNote.value = key.note || "";
    ui.kfRateLimit.value = key.rate_limit != null ? String(key.rate_limit) : "";
    ui.kfMaxConcurrent.value = key.max_concurrent != null ? String(key.max_concurrent) : "";
    ui.kfModels.value = Array.isArray(key.allowed_models) ? key.allowed_models.join("\n") : "";
    ui.kfExpires.value = key.expires_at || "";
    ui.kfBudgetRows.replaceChildren();
    for (const budget of key.budgets || []) addBudgetRow(budget);
  }

  function addBudgetRow(budget) {
    const row = element("div", { className: "budget-row" });
    const period = element("select", { className: "budget-period", "aria-label": t("budgetPeriod") });
    for (const value of ["total", "daily", "monthly"]) period.add(new Option(periodName(value), value));
    const unit = element("select", { className: "budget-unit", "aria-label": t("budgetUnit") });
    unit.add(new Option(t("unitTokens"), "tokens"));
    unit.add(new Option("CNY", "CNY"));
    unit.add(new Option("USD", "USD"));
    const amount = element("input", { className: "budget-amount", type: "number", min: "0", step: "any", "aria-label": t("budgetAmount") });
    const remove = element("button", { type: "button", className: "budget-remove", text: t("removeBudget") });
    remove.addEventListener("click", () => row.remove());
    if (budget) {
      period.value = budget.period || "total";
      unit.value = budget.currency || "tokens";
      amount.value = String(budget.currency ? budget.amount : budget.tokens);
    } else {
      period.value = "monthly";
    }
    row.append(period, unit, amount, remove);
    ui.kfBudgetRows.append(row);
    return row;
  }

  function renderBudgetUsage(usage) {
    ui.kfUsageList.replaceChildren();
    if (!Array.isArray(usage) || usage.length === 0) {
      show(ui.kfUsage, false);
      return;
    }
    for (const entry of usage) {
      const money = Boolean(entry.currency);
      const amount = (value) => (money ? formatMoney(value, entry.currency) : formatNumber(value) + " " + t("unitTokens"));
      const line = t("budgetUsageLine", { budget: budgetText(entry), used: amount(entry.used), remaining: amount(entry.remaining) });
      const renews = entry.renews_at ? t("renews", { time: formatTime(entry.renews_at) }) : t("neverRenews");
      ui.kfUsageList.append(
        element("li", { dataset: { period: entry.period, used: String(entry.used), remaining: String(entry.remaining) } }, [
          element("span", { text: line }),
          element("span", { className: "muted", text: " (" + renews + ")" }),
        ])
      );
    }
    show(ui.kfUsage, true);
  }

  // The form's fields as strings, to send only what was changed.
  function formSnapshot() {
    const budgets = [...ui.kfBudgetRows.querySelectorAll(".budget-row")].map((row) => [
      row.querySelector(".budget-period").value,
      row.querySelector(".budget-unit").value,
      row.querySelector(".budget-amount").value.trim(),
    ]);
    return {
      name: ui.kfName.value.trim(),
      owner: ui.kfOwner.value.trim(),
      note: ui.kfNote.value.trim(),
      rate_limit: ui.kfRateLimit.value.trim(),
      max_concurrent: ui.kfMaxConcurrent.value.trim(),
      allowed_models: modelList(ui.kfModels.value).join("\n"),
      expires_at: ui.kfExpires.value.trim(),
      budgets: JSON.stringify(budgets),
    };
  }

  function modelList(text) {
    return text
      .split(/[\n,]+/)
      .map((model) => model.trim())
      .filter((model) => model !== "");
  }

  class FormProblem extends Error {
    constructor(message, input) {
      super(message);
      this.input = input;
    }
  }

  function wholeNumber(input, label) {
    const text = input.value.trim();
    if (text === "") {
      if (input.validity && input.validity.badInput) throw new FormProblem(t("notANumber", { field: label }), input);
      return null;
    }
    const number = Number(text);
    if (!Number.isFinite(number)) throw new FormProblem(t("notANumber", { field: label }), input);
    return number; // the gateway says what is wrong with 0, -1 or 1.5
  }

  // The JSON value of each field, as the admin API takes it.
  function formValue(field) {
    switch (field) {
      case "name":
        return ui.kfName.value.trim();
      case "owner":
        return ui.kfOwner.value.trim() || null;
      case "note":
        return ui.kfNote.value.trim() || null;
      case "rate_limit":
        return wholeNumber(ui.kfRateLimit, t("fieldRateLimit"));
      case "max_concurrent":
        return wholeNumber(ui.kfMaxConcurrent, t("fieldMaxConcurrent"));
      case "allowed_models": {
        const models = modelList(ui.kfModels.value);
        return models.length ? models : null;
      }
      case "expires_at":
        return ui.kfExpires.value.trim() || null;
      case "budgets":
        return [...ui.kfBudgetRows.querySelectorAll(".budget-row")].map((row) => {
          const period = row.querySelector(".budget-period").value;
          const unit = row.querySelector(".budget-unit").value;
          const amountInput = row.querySelector(".budget-amount");
          const text = amountInput.value.trim();
          if (text === "" || !Number.isFinite(Number(text))) throw new FormProblem(t("budgetAmountMissing"), amountInput);
          return unit === "tokens" ? { period, tokens: Number(text) } : { period, amount: Number(text), currency: unit };
        });
      default:
        return undefined;
    }
  }

  const FIELD_INPUTS = {
    name: "kfName",
    owner: "kfOwner",
    note: "kfNote",
    rate_limit: "kfRateLimit",
    max_concurrent: "kfMaxConcurrent",
    allowed_models: "kfModels",
    expires_at: "kfExpires",
    budgets: "kfBudgets",
  };

  async function submitKeyForm(event) {
    event.preventDefault();
    clearFormError(ui.kfError);
    for (const input of ui.keyForm.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
    const editing = ui.keyForm.dataset.mode === "edit" && state.editing;
    let body = {};
    try {
      if (editing) {
        const now = formSnapshot();
        for (const field of FORM_FIELDS) if (now[field] !== state.editing.initial[field]) body[field] = formValue(field);
      } else {
        for (const field of FORM_FIELDS) {
          const value = formValue(field);
          if (value !== null && !(Array.isArray(value) && value.length === 0 && field === "budgets")) body[field] = value;
        }
        if (!body.name) throw new FormProblem(t("nameRequired"), ui.kfName);
      }
    } catch (problem) {
      if (!(problem instanceof FormProblem)) throw problem;
      showFormError(ui.kfError, problem.message, "form");
      if (problem.input) {
        problem.input.setAttribute("aria-invalid", "true");
        problem.input.focus();
      }
      return;
    }
    if (editing && Object.keys(body).length === 0) {
      setStatus(ui.keysStatus, t("nothingChanged"));
      closeKeyForm();
      return;
    }
    ui.kfSubmit.disabled = true;
    ui.keyForm.dataset.busy = "true";
    try {
      if (editing) {
        const id = state.editing.key.id;
        const data = await api("PATCH", "/admin/keys/" + encodeURIComponent(id), { body });
        closeKeyForm();
        setStatus(ui.keysStatus, t("keySaved", { name: (data.key && data.key.name) || id }));
      } else {
        const data = await api("POST", "/admin/keys", { body });
        closeKeyForm();
        showSecret(data.secret, data.key);
        setStatus(ui.keysStatus, t("keyCreated", { name: (data.key && data.key.name) || "" }));
      }
      await loadPanel("keys");
    } catch (failure) {
      reportFailure(failure, "keys", ui.kfError);
      markInvalidField(failure);
    } finally {
      ui.kfSubmit.disabled = false;
      delete ui.keyForm.dataset.busy;
    }
  }

  // The gateway's validation messages start with the field they are about.
  function markInvalidField(failure) {
    if (!(failure instanceof Failure) || failure.status !== 400) return;
    const field = failure.param || (failure.serverMessage.match(/^([a-z_]+)\b/) || [])[1];
    const input = field && FIELD_INPUTS[field] ? ui[FIELD_INPUTS[field]] : null;
    if (input) input.setAttribute("aria-invalid", "true");
  }

  // The secret, shown once

  function showSecret(secret, key) {
    ui.secretValue.textContent = secret || "";
    ui.secretPanel.dataset.keyId = (key && key.id) || "";
    setStatus(ui.secretCopyStatus, "");
    delete ui.secretCopy.dataset.copied;
    show(ui.secretPanel, Boolean(secret));
    ui.secretCopy.focus();
  }

  function hideSecret() {
    ui.secretValue.textContent = "";
    delete ui.secretPanel.dataset.keyId;
    setStatus(ui.secretCopyStatus, "");
    show(ui.secretPanel, false);
  }

  async function copySecret() {
    const text = ui.secretValue.textContent;
    let copied = false;
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        copied = true;
      }
    } catch (error) {
      copied = false;
    }
    if (!copied) copied = copyBySelection(ui.secretValue);
    ui.secretCopy.dataset.copied = String(copied);
    setStatus(ui.secretCopyStatus, t(copied ? "copied" : "copyFailed"));
  }

  // Where the Clipboard API is not allowed (plain http on another host): the old way.
  function copyBySelection(node) {
    const selection = window.getSelection();
    const range = document.createRange();
    range.selectNodeContents(node);
    selection.removeAllRanges();
    selection.addRange(range);
    let copied = false;
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
    if (copied) selection.removeAllRanges(); // else it stays selected, ready to copy by hand
    return copied;
  }

  // Revoking, after a confirmation

  function askToRevoke(key) {
    state.revoking = key;
    ui.confirmText.textContent = t("revokeText", { name: key.name, id: key.id });
    ui.confirm.dataset.keyId = key.id;
    if (typeof ui.confirm.showModal === "function") ui.confirm.showModal();
    else ui.confirm.setAttribute("open", "");
    ui.confirmCancel.focus();
  }

  function closeConfirm() {
    state.revoking = null;
    delete ui.confirm.dataset.keyId;
    if (ui.confirm.open) ui.confirm.close();
  }

  async function confirmRevoke() {
    const key = state.revoking;
    closeConfirm();
    if (!key) return;
    try {
      const data = await api("DELETE", "/admin/keys/" + encodeURIComponent(key.id));
      setStatus(ui.keysStatus, t("keyRevoked", { name: (data.key && data.key.name) || key.name }));
      if (state.editing && state.editing.key.id === key.id) closeKeyForm();
    } catch (failure) {
      reportFailure(failure, "keys");
    }
    await loadPanel("keys");
  }

  // Key pickers of the usage and requests filters

  function renderKeyOptions() {
    for (const select of [ui.usageKey, ui.requestsKey]) {
      const chosen = select.value;
      while (select.options.length > 1) select.remove(1);
      for (const key of state.keys) {
        const label = key.name === key.id ? key.id : key.name + " (" + key.id + ")";
        select.add(new Option(label, key.id));
      }
      select.add(new Option(t("anonymous"), "anonymous"));
      select.value = [...select.options].some((option) => option.value === chosen) ? chosen : "";
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Usage

  function isoSeconds(date) {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  function usageQuery() {
    const days = Number(ui.usageRange.value) || 30;
    const to = new Date();
    const from = new Date(to.getTime() - days * 86400000);
    const parameters = new URLSearchParams({ from: isoSeconds(from), to: isoSeconds(to), group_by: state.usageGroup });
    if (ui.usageKey.value) parameters.set("key", ui.usageKey.value);
    const model = ui.usageModel.value.trim();
    if (model) parameters.set("model", model);
    return parameters;
  }

  async function loadUsage(current) {
    const query = usageQuery();
    await ensureKeys();
    const data = await api("GET", "/admin/usage?" + query.toString());
    if (!current()) return;
    state.usage = data;
    renderUsage();
  }

  function totalTokens(total) {
    return (Number(total.prompt_tokens) || 0) + (Number(total.completion_tokens) || 0);
  }

  function currenciesOf(total) {
    return Object.keys((total && total.cost) || {}).sort();
  }

  function groupLabel(group, grouping) {
    if (grouping === "key") return keyName(group);
    if (grouping === "model" && group === "unknown") return t("unknownModel");
    return group;
  }

  function renderUsage() {
    const data = state.usage;
    ui.usageSummary.replaceChildren();
    ui.usageCharts.replaceChildren();
    ui.usageHead.replaceChildren();
    ui.usageBody.replaceChildren();
    if (!data) return;
    const grouping = data.group_by || state.usageGroup;
    const totals = Array.isArray(data.totals) ? data.totals : [];
    const total = data.total || { requests: 0, cost: {} };
    ui.usageRangeText.textContent = t("rangeText", { from: formatTime(data.from), to: formatTime(data.to), zone: data.time_zone || "UTC" });
    ui.panels.usage.dataset.grouping = grouping;
    ui.panels.usage.dataset.from = data.from || "";
    ui.panels.usage.dataset.to = data.to || "";

    const currencies = currenciesOf(total);
    const stats = [
      ["requests", t("totalRequests"), total.requests, formatNumber(total.requests)],
      ["tokens", t("totalTokens"), totalTokens(total), formatNumber(totalTokens(total))],
      ["prompt_tokens", t("totalPrompt"), total.prompt_tokens, formatNumber(total.prompt_tokens)],
      ["completion_tokens", t("totalCompletion"), total.completion_tokens, formatNumber(total.completion_tokens)],
      ["cache_read_tokens", t("totalCacheRead"), total.cache_read_tokens, formatNumber(total.cache_read_tokens)],
      ["cache_write_tokens", t("totalCacheWrite"), total.cache_write_tokens, formatNumber(total.cache_write_tokens)],
      ["reasoning_tokens", t("totalReasoning"), total.reasoning_tokens, formatNumber(total.reasoning_tokens)],
    ];
    for (const currency of currencies) {
      stats.push(["cost:" + currency, t("totalCost", { currency }), total.cost[currency], formatMoney(total.cost[currency], currency)]);
    }
    stats.push(["unpriced_requests", t("totalUnpriced"), total.unpriced_requests, formatNumber(total.unpriced_requests)]);
    for (const [name, label, value, text] of stats) {
      ui.usageSummary.append(
        element("div", { className: "stat", dataset: { total: name, value: String(value ?? 0) } }, [
          element("span", { className: "stat-label", text: label }),
          element("strong", { className: "stat-value", text }),
        ])
      );
    }

    const empty = !total.requests;
    show(ui.usageEmpty, empty);
    show(ui.usageTable, !empty);
    if (empty) return;

    const timeBased = grouping === "day" || grouping === "hour";
    const labels = timeBased ? bucketLabels(data.from, data.to, grouping, data.time_zone) : null;
    const series = (valueOf, include) => {
      const points = totals.filter((entry) => !include || include(entry)).map((entry) => ({ label: entry.group, value: valueOf(entry) }));
      return timeBased ? fillBuckets(points, labels) : points;
    };
    const groupingName = t("grouping" + grouping);
    ui.usageCharts.append(
      chart({
        id: "tokens",
        title: t("chartTokens", { grouping: groupingName }),
        points: series(totalTokens),
        timeBased,
        grouping,
        format: (value) => formatNumber(value),
        describe: (label) => {
          const entry = totals.find((candidate) => candidate.group === label);
          if (!entry) return "";
          return t("totalPrompt") + " " + formatNumber(entry.prompt_tokens) + ", " + t("totalCompletion") + " " + formatNumber(entry.completion_tokens);
        },
      })
    );
    for (const currency of currencies) {
      ui.usageCharts.append(
        chart({
          id: "cost",
          currency,
          title: t("chartCost", { currency, grouping: groupingName }),
          // Per model or key: the groups with a cost in this currency (an unpriced model costs
          // "unknown", not 0); per day or hour every bucket, 0 where nothing was spent.
          points: series((entry) => Number((entry.cost || {})[currency]) || 0, (entry) => timeBased || (entry.cost || {})[currency] != null),
          timeBased,
          grouping,
          format: (value) => formatMoney(value, currency),
        })
      );
    }
    if (currencies.length === 0) {
      ui.usageCharts.append(element("p", { className: "hint", id: "usage-no-cost", text: t("noCost", { n: formatNumber(total.unpriced_requests) }) }));
    } else if (total.unpriced_requests > 0) {
      ui.usageCharts.append(element("p", { className: "hint", id: "usage-unpriced", text: t("unpricedNote", { n: formatNumber(total.unpriced_requests) }) }));
    }
    renderUsageTable(totals, grouping, currencies);
  }

  function renderUsageTable(totals, grouping, currencies) {
    const headings = [
      [t("colGroup" + grouping), ""],
      [t("colRequests"), "number"],
      [t("colPrompt"), "number"],
      [t("colCompletion"), "number"],
      [t("colCacheRead"), "number"],
      [t("colCacheWrite"), "number"],
      [t("colReasoning"), "number"],
    ];
    for (const currency of currencies) headings.push([t("totalCost", { currency }), "number"]);
    headings.push([t("colUnpriced"), "number"]);
    for (const [text, className] of headings) ui.usageHead.append(element("th", { text, className }));
    const rows = totals.slice();
    if (grouping === "key" || grouping === "model") rows.sort((a, b) => totalTokens(b) - totalTokens(a) || (a.group < b.group ? -1 : 1));
    for (const entry of rows) {
      const row = element("tr", { dataset: { group: entry.group } });
      const name = groupLabel(entry.group, grouping);
      const first = cell(name);
      if (name !== entry.group) first.title = entry.group;
      row.append(
        first,
        cell(formatNumber(entry.requests), "number", { field: "requests" }),
        cell(formatNumber(entry.prompt_tokens), "number", { field: "prompt_tokens" }),
        cell(formatNumber(entry.completion_tokens), "number", { field: "completion_tokens" }),
        cell(formatNumber(entry.cache_read_tokens), "number", { field: "cache_read_tokens" }),
        cell(formatNumber(entry.cache_write_tokens), "number", { field: "cache_write_tokens" }),
        cell(formatNumber(entry.reasoning_tokens), "number", { field: "reasoning_tokens" })
      );
      for (const currency of currencies) {
        const cost = (entry.cost || {})[currency];
        row.append(cell(cost != null ? formatMoney(cost, currency) : "—", "number", { field: "cost:" + currency }));
      }
      row.append(cell(formatNumber(entry.unpriced_requests), "number", { field: "unpriced_requests" }));
      ui.usageBody.append(row);
    }
  }

  // The labels of every day or hour from `from` to `to` in the usage time zone, as the gateway
  // writes them (2026-12-01, 2026-12-01T09:00); null when there would be too many, or the zone
  // is unknown here (then only the buckets with usage are drawn).
  function bucketLabels(fromISO, toISO, grouping, timeZone) {
    const from = Date.parse(fromISO);
    const to = Date.parse(toISO);
    if (!Number.isFinite(from) || !Number.isFinite(to) || to <= from) return null;
    const step = 3600000; // every hour of every zone is 60 minutes long
    if ((to - from) / step / (grouping === "hour" ? 1 : 24) > MAX_TIME_BUCKETS) return null;
    let format;
    try {
      format = new Intl.DateTimeFormat("en-US", {
        timeZone: timeZone || "UTC",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        hourCycle: "h23",
      });
    } catch (error) {
      return null;
    }
    const labelOf = (time) => {
      const parts = {};
      for (const part of format.formatToParts(new Date(time))) parts[part.type] = part.value;
      const day = parts.year + "-" + parts.month + "-" + parts.day;
      return grouping === "hour" ? day + "T" + (parts.hour === "24" ? "00" : parts.hour) + ":00" : day;
    };
    const labels = [];
    const push = (label) => {
      if (labels[labels.length - 1] !== label) labels.push(label);
    };
    for (let time = from; time < to; time += step) push(labelOf(time));
    push(labelOf(to - 1));
    return labels;
  }

  // Every bucket of the range, 0 where there was no usage; buckets the gateway returned but
  // this page did not expect are kept too (in order).
  function fillBuckets(points, labels) {
    if (!labels) return points.slice().sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
    const byLabel = new Map(points.map((point) => [point.label, point.value]));
    const all = new Set(labels);
    for (const point of points) all.add(point.label);
    return [...all].sort().map((label) => ({ label, value: byLabel.get(label) || 0 }));
  }

  // A step of 1, 2 or 5 times a power of ten that splits 0…max into about `ticks` parts.
  function niceScale(max, ticks) {
    const wanted = ticks || 4;
    if (!(max > 0)) return { max: 1, step: 0.25 };
    const rough = max / wanted;
    const power = Math.pow(10, Math.floor(Math.log10(rough)));
    const fraction = rough / power;
    const step = (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10) * power;
    return { max: Math.ceil(max / step - 1e-9) * step, step };
  }

  function shortLabel(text, length) {
    return text.length > length ? text.slice(0, length - 1) + "…" : text;
  }

  function timeTickLabel(label, grouping) {
    // 2026-12-01 → 12-01; 2026-12-01T09:00 → 09:00 (with the day where the day changes)
    if (grouping === "hour") return label.slice(11);
    return label.slice(5);
  }

  function chart(options) {
    const figure = element("figure", { className: "chart", dataset: { chart: options.id, grouping: options.grouping } });
    if (options.currency) figure.dataset.currency = options.currency;
    const caption = element("figcaption", { text: options.title });
    figure.append(caption);
    let points = options.points;
    let total = 0;
    for (const point of points) total += point.value;
    figure.dataset.total = String(total);
    if (!options.timeBased && points.length > MAX_CATEGORY_BARS) {
      // The biggest groups, and one bar for the rest (the table below lists them all).
      const sorted = points.slice().sort((a, b) => b.value - a.value);
      const kept = sorted.slice(0, MAX_CATEGORY_BARS - 1);
      const rest = sorted.slice(MAX_CATEGORY_BARS - 1);
      const restValue = rest.reduce((sum, point) => sum + point.value, 0);
      points = kept.concat([{ label: "", value: restValue, others: rest.length }]);
    } else if (!options.timeBased) {
      points = points.slice().sort((a, b) => b.value - a.value || (a.label < b.label ? -1 : 1));
    }
    figure.append(options.timeBased ? columnChart(points, options) : barChart(points, options));
    return figure;
  }

  function barTitle(point, options, name) {
    const detail = options.describe ? options.describe(point.label) : "";
    return name + ": " + options.format(point.value) + (detail ? " (" + detail + ")" : "");
  }

  // Days and hours: vertical columns along a time axis.
  // The drawing's width in pixels, so that its text keeps the page's size.
  function chartWidth() {
    const available = ui.usageCharts.clientWidth - 26; // the figure's padding and border
    return Math.max(360, Math.min(1600, Number.isFinite(available) && available > 0 ? available : 760));
  }

  function columnChart(points, options) {
    const width = chartWidth();
    const height = 260;
    const margin = { top: 14, right: 12, bottom: 44, left: 72 };
    const plotWidth = width - margin.left - margin.right;
    const plotHeight = height - margin.top - margin.bottom;
    const max = points.reduce((most, point) => Math.max(most, point.value), 0);
    const scale = niceScale(max);
    const root = svg("svg", {
      viewBox: "0 0 " + width + " " + height,
      class: "chart-svg",
      role: "img",
      "aria-label": options.title,
      preserveAspectRatio: "xMidYMid meet",
    });
    const grid = svg("g", { class: "axis y-axis" });
    for (let value = 0; value <= scale.max + 1e-9; value += scale.step) {
      const y = margin.top + plotHeight - (value / scale.max) * plotHeight;
      grid.append(
        svg("line", { x1: margin.left, x2: width - margin.right, y1: y, y2: y, class: value === 0 ? "baseline" : "gridline" }),
        svg("text", { x: margin.left - 6, y: y + 4, "text-anchor": "end", class: "tick", text: axisValue(value, options, scale.step) })
      );
    }
    root.append(grid);
    const slot = plotWidth / Math.max(points.length, 1);
    const barWidth = Math.max(1, slot * 0.8);
    const bars = svg("g", { class: "bars" });
    const labels = svg("g", { class: "axis x-axis" });
    const every = Math.max(1, Math.ceil(points.length / Math.max(2, Math.floor(plotWidth / 64))));
    points.forEach((point, index) => {
      const barHeight = scale.max > 0 ? (point.value / scale.max) * plotHeight : 0;
      const x = margin.left + index * slot + (slot - barWidth) / 2;
      const y = margin.top + plotHeight - barHeight;
      const bar = svg("rect", {
        class: "bar",
        x: x.toFixed(2),
        y: y.toFixed(2),
        width: barWidth.toFixed(2),
        height: barHeight.toFixed(2),
        "data-label": point.label,
        "data-value": String(point.value),
      });
      bar.append(svg("title", { text: barTitle(point, options, point.label) }));
      bars.append(bar);
      if (index % every === 0) {
        const center = margin.left + index * slot + slot / 2;
        labels.append(
          svg("line", { x1: center, x2: center, y1: margin.top + plotHeight, y2: margin.top + plotHeight + 4, class: "tickmark" }),
          svg("text", { x: center, y: margin.top + plotHeight + 18, "text-anchor": "middle", class: "tick", text: timeTickLabel(point.label, options.grouping) })
        );
      }
    });
    if (points.length > 0) {
      const first = points[0].label.slice(0, 10);
      const last = points[points.length - 1].label.slice(0, 10);
      labels.append(
        svg("text", {
          x: margin.left + plotWidth / 2,
          y: height - 6,
          "text-anchor": "middle",
          class: "axis-title",
          text: first === last ? first : first + " – " + last,
        })
      );
    }
    root.append(bars, labels);
    return root;
  }

  // Models and keys: horizontal bars, biggest first.
  function barChart(points, options) {
    const width = chartWidth();
    const rowHeight = 24;
    const margin = { top: 8, right: 110, bottom: 28, left: 190 };
    const plotWidth = width - margin.left - margin.right;
    const height = margin.top + margin.bottom + rowHeight * Math.max(points.length, 1);
    const max = points.reduce((most, point) => Math.max(most, point.value), 0);
    const scale = niceScale(max);
    const root = svg("svg", {
      viewBox: "0 0 " + width + " " + height,
      class: "chart-svg",
      role: "img",
      "aria-label": options.title,
      preserveAspectRatio: "xMidYMid meet",
    });
    const axis = svg("g", { class: "axis x-axis" });
    const bottom = margin.top + rowHeight * points.length;
    for (let value = 0; value <= scale.max + 1e-9; value += scale.step) {
      const x = margin.left + (value / scale.max) * plotWidth;
      axis.append(
        svg("line", { x1: x, x2: x, y1: margin.top, y2: bottom, class: value === 0 ? "baseline" : "gridline" }),
        svg("text", { x, y: bottom + 16, "text-anchor": "middle", class: "tick", text: axisValue(value, options, scale.step) })
      );
    }
    root.append(axis);
    const bars = svg("g", { class: "bars" });
    points.forEach((point, index) => {
      const y = margin.top + index * rowHeight;
      const barWidth = scale.max > 0 ? (point.value / scale.max) * plotWidth : 0;
      const name = point.others ? t("otherGroups", { n: point.others }) : groupLabel(point.label, options.grouping);
      const bar = svg("rect", {
        class: "bar" + (point.others ? " others" : ""),
        x: margin.left,
        y: (y + 4).toFixed(2),
        width: barWidth.toFixed(2),
        height: rowHeight - 8,
        "data-label": point.label,
        "data-value": String(point.value),
        "data-others": point.others ? String(point.others) : null,
      });
      bar.append(svg("title", { text: barTitle(point, options, name + (name !== point.label && point.label ? " (" + point.label + ")" : "")) }));
      bars.append(
        svg("text", { x: margin.left - 8, y: y + rowHeight / 2 + 4, "text-anchor": "end", class: "bar-label", text: shortLabel(name, 26) }),
        bar,
        svg("text", { x: margin.left + barWidth + 6, y: y + rowHeight / 2 + 4, class: "bar-value", text: options.format(point.value) })
      );
    });
    root.append(bars);
    return root;
  }

  // A tick's label, with as many decimals as the step between ticks needs (0.00005 apart:
  // five), so that no two ticks read the same.
  function axisValue(value, options, step) {
    if (Math.abs(value) >= 1000 || !options.currency) {
      if (step >= 1 || value === 0) return formatCompact(value);
    }
    let decimals = 0;
    while (decimals < 12 && Math.abs(step * Math.pow(10, decimals) - Math.round(step * Math.pow(10, decimals))) > 1e-6) decimals += 1;
    return formatNumber(value, { minimumFractionDigits: 0, maximumFractionDigits: decimals });
  }

  function selectGrouping(grouping) {
    state.usageGroup = grouping;
    for (const button of ui.usageGroup.querySelectorAll("[data-group]")) {
      button.setAttribute("aria-pressed", String(button.dataset.group === grouping));
    }
    loadPanel("usage");
  }

  async function downloadCSV() {
    const query = usageQuery();
    try {
      const text = await api("GET", "/admin/usage?" + query.toString(), { accept: "text/csv" });
      const name = "taogate-usage-" + state.usageGroup + ".csv";
      const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
      const link = element("a", { href: url, download: name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      window.setTimeout(() => URL.revokeObjectURL(url), 60000);
      ui.usageCsv.dataset.downloaded = name;
      clearBanner("usage");
    } catch (failure) {
      reportFailure(failure, "usage");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Recent requests

  function requestsQuery() {
    const parameters = new URLSearchParams({ limit: ui.requestsLimit.value || "50" });
    if (state.requestsBefore != null) parameters.set("before", String(state.requestsBefore));
    if (ui.requestsKey.value) parameters.set("key", ui.requestsKey.value);
    const model = ui.requestsModel.value.trim();
    if (model) parameters.set("model", model);
    if (ui.requestsStatus.value) parameters.set("status", ui.requestsStatus.value);
    return parameters;
  }

  async function loadRequests(current) {
    const query = requestsQuery();
    await ensureKeys();
    const data = await api("GET", "/admin/requests?" + query.toString());
    if (!current()) return;
    state.requests = data;
    renderRequests();
  }

  function renderRequests() {
    const data = state.requests;
    ui.requestsBody.replaceChildren();
    if (!data) return;
    const rows = Array.isArray(data.requests) ? data.requests : [];
    for (const request of rows) {
      const failed = !(request.status >= 200 && request.status < 300);
      const flags = [];
      if (request.streamed) flags.push(t("streamed"));
      if (request.cancelled) flags.push(t("cancelled"));
      const time = cell(formatTimeWithSeconds(request.at), null, { field: "at" });
      time.title = request.at + (request.request_id ? " · " + request.request_id : "");
      const key = cell(request.key ? keyName(request.key) : t("anonymous"), null, { field: "key", value: request.key || "" });
      if (request.key) key.title = request.key;
      ui.requestsBody.append(
        element("tr", { dataset: { requestId: String(request.id), status: String(request.status) }, className: failed ? "failed" : null }, [
          time,
          key,
          cell(request.model || "—", null, { field: "model" }),
          cell(request.provider || "—", null, { field: "provider" }),
          element("td", { dataset: { field: "status" } }, [
            element("span", { className: "badge " + (failed ? "status-error" : "status-ok"), text: String(request.status) }),
          ]),
          cell(formatMilliseconds(request.latency_ms), "number", { field: "latency_ms" }),
          cell(formatMilliseconds(request.duration_ms), "number", { field: "duration_ms" }),
          cell(formatNumber(request.prompt_tokens), "number", { field: "prompt_tokens" }),
          cell(formatNumber(request.completion_tokens), "number", { field: "completion_tokens" }),
          cell(request.cost != null && request.currency ? formatMoney(request.cost, request.currency) : "—", "number", { field: "cost" }),
          cell(flags.join(", "), null, { field: "flags" }),
        ])
      );
    }
    show(ui.requestsEmpty, rows.length === 0);
    ui.requestsOlder.disabled = data.next_before == null;
    ui.requestsNewer.disabled = state.requestsHistory.length === 0;
    ui.requestsPage.textContent = t("page", { n: state.requestsHistory.length + 1 });
    ui.panels.requests.dataset.page = String(state.requestsHistory.length + 1);
  }

  function olderRequests() {
    if (!state.requests || state.requests.next_before == null) return;
    state.requestsHistory.push(state.requestsBefore);
    state.requestsBefore = state.requests.next_before;
    loadPanel("requests");
  }

  function newerRequests() {
    if (state.requestsHistory.length === 0) return;
    state.requestsBefore = state.requestsHistory.pop();
    loadPanel("requests");
  }

  function newestRequests() {
    state.requestsHistory = [];
    state.requestsBefore = null;
    loadPanel("requests");
  }

  // ---------------------------------------------------------------------------------------------
  // Providers

  async function loadProviders(current) {
    const data = await api("GET", "/admin/providers");
    if (!current()) return;
    state.providers = data;
    renderProviders();
  }

  function renderProviders() {
    const data = state.providers;
    ui.providersBody.replaceChildren();
    if (!data) return;
    const providers = Array.isArray(data.providers) ? data.providers : [];
    let windowSeconds = null;
    for (const provider of providers) {
      const keys = Array.isArray(provider.keys) ? provider.keys : [];
      keys.forEach((key, index) => {
        const recent = key.recent || {};
        if (recent.window_seconds) windowSeconds = recent.window_seconds;
        const row = element("tr", { dataset: { provider: provider.name, keyId: key.id, circuit: key.circuit } });
        if (index === 0) {
          const name = element("td", { text: provider.name, className: "provider-name", rowspan: String(keys.length) });
          const apis = element("td", { text: (provider.apis || []).join(", "), rowspan: String(keys.length) });
          row.append(name, apis);
        }
        row.append(
          element("td", {}, [element("code", { text: key.id }), key.source ? element("div", { className: "muted", text: key.source }) : null]),
          element("td", { dataset: { field: "circuit" } }, [
            element("span", { className: "badge circuit-" + key.circuit, text: t("circuit" + key.circuit), dataset: { circuit: key.circuit } }),
          ]),
          cell(key.cooling_down ? t("yes") : t("no"), key.cooling_down ? "warn" : null, { field: "cooling_down", value: String(Boolean(key.cooling_down)) }),
          cell(formatNumber(recent.calls), "number", { field: "calls", value: String(recent.calls ?? "") }),
          cell(formatNumber(recent.errors), "number", { field: "errors", value: String(recent.errors ?? "") }),
          cell(
            recent.error_rate == null ? "—" : formatNumber(recent.error_rate, { style: "percent", maximumFractionDigits: 1 }),
            "number",
            { field: "error_rate", value: recent.error_rate == null ? "" : String(recent.error_rate) }
          ),
          cell(formatMilliseconds(recent.latency_ms_avg), "number", { field: "latency_ms_avg", value: recent.latency_ms_avg == null ? "" : String(recent.latency_ms_avg) }),
          cell(formatMilliseconds(recent.latency_ms_p95), "number", { field: "latency_ms_p95", value: recent.latency_ms_p95 == null ? "" : String(recent.latency_ms_p95) })
        );
        ui.providersBody.append(row);
      });
    }
    show(ui.providersEmpty, providers.length === 0);
    ui.providersWindow.textContent = windowSeconds ? t("providersWindow", { minutes: formatNumber(windowSeconds / 60) }) : "";
  }

  // While the providers tab is shown, its health is read again every 10 seconds.
  function tickProviders() {
    if (state.adminKey && state.tab === "providers" && document.visibilityState === "visible" && ui.panels.providers.dataset.state !== "loading") {
      loadPanel("providers");
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Prices

  async function loadPricing(current) {
    const data = await api("GET", "/admin/pricing");
    if (!current()) return;
    state.pricing = data;
    renderPricing();
  }

  function renderPricing() {
    const data = state.pricing;
    ui.pricingContent.replaceChildren();
    if (!data) return;
    const tables = [];
    if (data.shared) tables.push({ title: t("pricingShared", { currency: data.shared.currency }), table: data.shared, scope: "shared" });
    for (const name of Object.keys(data.providers || {}).sort()) {
      const table = data.providers[name];
      tables.push({ title: t("pricingProvider", { name, currency: table.currency }), table, scope: "provider:" + name });
    }
    for (const entry of tables) ui.pricingContent.append(priceTable(entry));
    show(ui.pricingEmpty, tables.length === 0);
  }

  function priceTable(entry) {
    const currency = entry.table.currency;
    const body = element("tbody");
    const models = entry.table.models || {};
    const rows = Object.keys(models)
      .sort()
      .map((pattern) => ({ pattern, price: models[pattern], label: element("code", { text: pattern }) }));
    if (entry.table.default) {
      rows.push({ pattern: "", price: entry.table.default, label: element("em", { text: t("pricingDefault") }) });
    }
    for (const { pattern, price, label } of rows) {
      const money = (value, fallback) => (value == null ? t(fallback) : formatMoney(value, currency));
      body.append(
        element("tr", { dataset: pattern ? { pattern } : { default: "true" } }, [
          element("td", {}, [label]),
          cell(money(price.input), "number", { field: "input" }),
          cell(money(price.output), "number", { field: "output" }),
          cell(money(price.cached_input, "sameAsInput"), "number", { field: "cached_input" }),
          cell(money(price.cache_write, "sameAsInput"), "number", { field: "cache_write" }),
          cell(money(price.reasoning, "sameAsOutput"), "number", { field: "reasoning" }),
        ])
      );
    }
    const head = element("thead", {}, [
      element("tr", {}, [
        element("th", { text: t("colPattern") }),
        element("th", { text: t("colInput"), className: "number" }),
        element("th", { text: t("colOutput"), className: "number" }),
        element("th", { text: t("colCachedInput"), className: "number" }),
        element("th", { text: t("colCacheWrite"), className: "number" }),
        element("th", { text: t("colReasoningPrice"), className: "number" }),
      ]),
    ]);
    return element("div", { className: "price-table", dataset: { scope: entry.scope, currency } }, [
      element("h3", { text: entry.title }),
      element("div", { className: "table-wrap" }, [element("table", { className: "data" }, [head, body])]),
    ]);
  }

  async function reloadPrices() {
    clearFormError(ui.pricingError);
    setStatus(ui.pricingStatus, "");
    ui.pricingReload.disabled = true;
    try {
      const data = await api("POST", "/admin/pricing/reload");
      setStatus(ui.pricingStatus, t("pricingReloaded", { n: formatNumber(data.priced_models) }));
      ui.pricingStatus.dataset.pricedModels = String(data.priced_models);
      await loadPanel("pricing");
    } catch (failure) {
      reportFailure(failure, "pricing", ui.pricingError);
    } finally {
      ui.pricingReload.disabled = false;
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Language

  function initialLanguage() {
    const saved = loadLanguage();
    if (saved === "en" || saved === "zh") return saved;
    return String(navigator.language || "en").toLowerCase().startsWith("zh") ? "zh" : "en";
  }

  function applyLanguage() {
    document.documentElement.lang = locale();
    document.title = t("title");
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    for (const node of document.querySelectorAll("[data-i18n-aria-label]")) node.setAttribute("aria-label", t(node.dataset.i18nAriaLabel));
    for (const node of document.querySelectorAll("[data-i18n-placeholder]")) node.placeholder = t(node.dataset.i18nPlaceholder);
    ui.lang.textContent = t("otherLanguage");
    ui.lang.lang = t("otherLanguageTag");
    ui.lang.setAttribute("aria-label", t("switchLanguage"));
    ui.lang.title = t("switchLanguage");
    renderKeyFormTitle();
    for (const row of ui.kfBudgetRows.querySelectorAll(".budget-row")) {
      const period = row.querySelector(".budget-period");
      for (const option of period.options) option.textContent = periodName(option.value);
      row.querySelector(".budget-unit").options[0].textContent = t("unitTokens");
      row.querySelector(".budget-remove").textContent = t("removeBudget");
    }
    // What is shown again, in the new language.
    if (state.keysLoaded) {
      renderKeys();
      renderKeyOptions();
    } else {
      for (const select of [ui.usageKey, ui.requestsKey]) select.options[0].textContent = t("allKeys");
    }
    renderUsage();
    renderRequests();
    renderProviders();
    renderPricing();
    renderBanner();
    renderSignInMessage();
  }

  function toggleLanguage() {
    state.language = state.language === "zh" ? "en" : "zh";
    saveLanguage(state.language);
    applyLanguage();
  }

  // ---------------------------------------------------------------------------------------------
  // Start

  function findElements() {
    const ids = {
      tabs: "tabs",
      lang: "lang",
      signOut: "sign-out",
      banner: "banner",
      bannerTitle: "banner-title",
      bannerDetail: "banner-detail",
      bannerClose: "banner-close",
      signin: "signin",
      adminKey: "admin-key",
      signinError: "signin-error",
      signinSubmit: "signin-submit",
      console: "console",
      keysNew: "keys-new",
      keysRefresh: "keys-refresh",
      keysStatus: "keys-status",
      keysBody: "keys-body",
      keysEmpty: "keys-empty",
      secretPanel: "secret-panel",
      secretValue: "secret-value",
      secretCopy: "secret-copy",
      secretCopyStatus: "secret-copy-status",
      secretDone: "secret-done",
      keyForm: "key-form",
      keyFormTitle: "key-form-title",
      kfName: "kf-name",
      kfOwner: "kf-owner",
      kfNote: "kf-note",
      kfRateLimit: "kf-rate-limit",
      kfMaxConcurrent: "kf-max-concurrent",
      kfModels: "kf-models",
      kfExpires: "kf-expires",
      kfBudgets: "kf-budgets",
      kfBudgetRows: "kf-budget-rows",
      kfAddBudget: "kf-add-budget",
      kfUsage: "kf-usage",
      kfUsageList: "kf-usage-list",
      kfError: "kf-error",
      kfSubmit: "kf-submit",
      kfCancel: "kf-cancel",
      usageCsv: "usage-csv",
      usageRefresh: "usage-refresh",
      usageRange: "usage-range",
      usageGroup: "usage-group",
      usageKey: "usage-key",
      usageModel: "usage-model",
      usageRangeText: "usage-range-text",
      usageSummary: "usage-summary",
      usageEmpty: "usage-empty",
      usageCharts: "usage-charts",
      usageTable: "usage-table",
      usageHead: "usage-head",
      usageBody: "usage-body",
      requestsRefresh: "requests-refresh",
      requestsKey: "requests-key",
      requestsModel: "requests-model",
      requestsStatus: "requests-status",
      requestsLimit: "requests-limit",
      requestsBody: "requests-body",
      requestsEmpty: "requests-empty",
      requestsNewer: "requests-newer",
      requestsOlder: "requests-older",
      requestsPage: "requests-page",
      providersRefresh: "providers-refresh",
      providersWindow: "providers-window",
      providersBody: "providers-body",
      providersEmpty: "providers-empty",
      pricingReload: "pricing-reload",
      pricingRefresh: "pricing-refresh",
      pricingStatus: "pricing-status",
      pricingError: "pricing-error",
      pricingContent: "pricing-content",
      pricingEmpty: "pricing-empty",
      confirm: "confirm",
      confirmText: "confirm-text",
      confirmOk: "confirm-ok",
      confirmCancel: "confirm-cancel",
    };
    for (const [name, id] of Object.entries(ids)) ui[name] = document.getElementById(id);
    ui.panels = {};
    for (const tab of TABS) ui.panels[tab] = document.getElementById("panel-" + tab);
  }

  function bindEvents() {
    ui.signin.addEventListener("submit", signIn);
    ui.signOut.addEventListener("click", () => signOut("signInSignedOut"));
    ui.lang.addEventListener("click", toggleLanguage);
    ui.bannerClose.addEventListener("click", () => clearBanner());
    ui.tabs.addEventListener("click", (event) => {
      const button = event.target.closest("[data-tab]");
      if (button) selectTab(button.dataset.tab);
    });
    ui.tabs.addEventListener("keydown", onTabKeydown);

    ui.keysNew.addEventListener("click", openCreateForm);
    ui.keysRefresh.addEventListener("click", () => loadPanel("keys"));
    ui.keysBody.addEventListener("click", onKeysClick);
    ui.keyForm.addEventListener("submit", submitKeyForm);
    ui.kfCancel.addEventListener("click", closeKeyForm);
    ui.kfAddBudget.addEventListener("click", () => addBudgetRow(null).querySelector(".budget-amount").focus());
    ui.secretCopy.addEventListener("click", copySecret);
    ui.secretDone.addEventListener("click", hideSecret);
    ui.confirmOk.addEventListener("click", confirmRevoke);
    ui.confirmCancel.addEventListener("click", closeConfirm);
    ui.confirm.addEventListener("cancel", () => {
      state.revoking = null;
    });

    ui.usageRefresh.addEventListener("click", () => loadPanel("usage"));
    ui.usageCsv.addEventListener("click", downloadCSV);
    ui.usageRange.addEventListener("change", () => loadPanel("usage"));
    ui.usageKey.addEventListener("change", () => loadPanel("usage"));
    ui.usageModel.addEventListener("change", () => loadPanel("usage"));
    ui.usageGroup.addEventListener("click", (event) => {
      const button = event.target.closest("[data-group]");
      if (button) selectGrouping(button.dataset.group);
    });

    ui.requestsRefresh.addEventListener("click", newestRequests);
    ui.requestsOlder.addEventListener("click", olderRequests);
    ui.requestsNewer.addEventListener("click", newerRequests);
    for (const control of [ui.requestsKey, ui.requestsModel, ui.requestsStatus, ui.requestsLimit]) {
      control.addEventListener("change", newestRequests);
    }

    ui.providersRefresh.addEventListener("click", () => loadPanel("providers"));
    ui.pricingRefresh.addEventListener("click", () => loadPanel("pricing"));
    ui.pricingReload.addEventListener("click", reloadPrices);

    window.addEventListener("hashchange", () => {
      const tab = window.location.hash.slice(1);
      if (TABS.includes(tab) && tab !== state.tab) selectTab(tab, { updateHash: false });
    });
  }

  function start() {
    findElements();
    state.language = initialLanguage();
    state.adminKey = loadAdminKey();
    const tab = window.location.hash.slice(1);
    state.tab = TABS.includes(tab) ? tab : "keys";
    applyLanguage();
    bindEvents();
    renderSignedIn();
    if (state.adminKey) selectTab(state.tab, { updateHash: false });
    else ui.adminKey.focus();
    state.providersTimer = window.setInterval(tickProviders, 10000);
    let resizing = null;
    window.addEventListener("resize", () => {
      window.clearTimeout(resizing);
      resizing = window.setTimeout(() => {
        if (state.usage && state.tab === "usage") renderUsage();
      }, 200);
    });
  }

  window.TaoGateConsole = { niceScale, bucketLabels };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
