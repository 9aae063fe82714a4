/**
 * WeChat's permission sets (`func_info[].funcscope_category.id`) by name, from the official
 * "权限集列表" pages for official accounts, mini programs and Channels (see
 * wechat-component-reference.md §7). Ids whose name no official page gives are left out on
 * purpose: the detail shows them as `#N` rather than guessing.
 */
export interface PermissionName {
  zh: string;
  en: string;
}

export const PERMISSION_NAMES: Readonly<Record<number, PermissionName>> = {
  // Official accounts
  1: { zh: "消息管理", en: "Message management" },
  2: { zh: "用户管理", en: "User management" },
  3: { zh: "帐号服务", en: "Account services" },
  4: { zh: "网页服务", en: "Web services" },
  5: { zh: "微信小店", en: "WeChat Store" },
  6: { zh: "微信多客服", en: "Multi-agent customer service" },
  7: { zh: "群发与通知", en: "Mass messages and notifications" },
  8: { zh: "微信卡券", en: "Cards and offers" },
  9: { zh: "微信扫一扫", en: "WeChat Scan" },
  10: { zh: "微信连WIFI", en: "WeChat Wi-Fi" },
  11: { zh: "素材管理", en: "Media assets" },
  12: { zh: "微信摇周边", en: "Shake nearby" },
  13: { zh: "微信门店", en: "Stores (POI)" },
  14: { zh: "微信支付（旧）", en: "WeChat Pay (legacy)" },
  15: { zh: "自定义菜单", en: "Custom menu" },
  16: { zh: "获取认证状态及信息（旧）", en: "Verification status and info (legacy)" },
  22: { zh: "城市服务", en: "City services" },
  23: { zh: "广告管理", en: "Ads management" },
  24: { zh: "开放平台帐号管理", en: "Open Platform account management" },
  26: { zh: "微信电子发票", en: "E-invoices" },
  27: { zh: "快速注册小程序", en: "Fast mini program registration" },
  33: { zh: "小程序关联管理", en: "Linked mini programs" },
  34: { zh: "微信商品库管理", en: "Product library" },
  35: { zh: "微信卡路里（旧）", en: "WeChat Calories (legacy)" },
  44: { zh: "好物圈", en: "Good Stuff Circle" },
  46: { zh: "微信一物一码", en: "One item, one code" },
  47: { zh: "微信财政电子票据", en: "Fiscal e-receipts" },
  54: { zh: "服务号对话管理", en: "Service account conversations" },
  66: { zh: "微信服务市场管理", en: "Service market" },
  89: { zh: "服务号订阅通知", en: "Subscription notifications" },
  113: { zh: "就医助手", en: "Medical assistant" },
  // Mini programs
  17: { zh: "获取小程序码", en: "Mini program codes" },
  18: { zh: "开发管理与数据分析", en: "Development management and analytics" },
  19: { zh: "客服消息管理", en: "Customer service messages" },
  20: { zh: "微信登录（旧）", en: "WeChat login (legacy)" },
  21: { zh: "数据分析（旧）", en: "Analytics (legacy)" },
  25: { zh: "开放平台帐号管理（小程序）", en: "Open Platform account management (mini program)" },
  30: { zh: "小程序基本信息管理", en: "Basic info management" },
  31: { zh: "小程序认证名称检测", en: "Verification name check" },
  36: { zh: "微信卡路里管理", en: "WeChat Calories" },
  37: { zh: "附近的小程序管理", en: "Nearby mini programs" },
  40: { zh: "小程序插件管理", en: "Plugins" },
  41: { zh: "好物圈管理", en: "Good Stuff Circle management" },
  45: { zh: "微信物流服务", en: "Logistics" },
  48: { zh: "微信财政电子票据管理", en: "Fiscal e-receipts management" },
  49: { zh: "小程序云开发管理", en: "Cloud development" },
  51: { zh: "小程序即时配送", en: "Instant delivery" },
  52: { zh: "小程序直播管理", en: "Live streaming" },
  57: { zh: "页面推送（旧）", en: "Page push (legacy)" },
  65: { zh: "小程序广告管理", en: "Mini program ads" },
  67: { zh: "微信服务市场管理（小程序）", en: "Service market (mini program)" },
  70: { zh: "标准版交易组件商品管理", en: "Transaction component: products" },
  71: { zh: "标准版交易组件订单物流与售后管理", en: "Transaction component: orders, logistics, after-sales" },
  73: { zh: "标准版交易组件接入", en: "Transaction component: onboarding" },
  76: { zh: "小程序违规与交易投诉管理", en: "Violations and complaints" },
  81: { zh: "试用小程序快速认证", en: "Trial mini program fast verification" },
  84: { zh: "标准版交易组件优惠券管理", en: "Transaction component: coupons" },
  85: { zh: "自定义版交易组件管理", en: "Custom transaction component" },
  88: { zh: "小程序链接管理", en: "Mini program links" },
  93: { zh: "小程序联盟管理", en: "Mini program alliance" },
  99: { zh: "云开发短信服务", en: "Cloud development SMS" },
  105: { zh: "城市服务（小程序）", en: "City services (mini program)" },
  116: { zh: "获取自定义版交易组件数据", en: "Custom transaction component data" },
  118: { zh: "硬件服务", en: "Hardware services" },
  119: { zh: "小程序支付管理服务", en: "Payment management" },
  120: { zh: "小程序购物订单", en: "Shopping orders" },
  129: { zh: "视频号小店商品管理", en: "Channels store: products" },
  130: { zh: "视频号小店物流管理", en: "Channels store: logistics" },
  131: { zh: "视频号小店订单与售后管理", en: "Channels store: orders and after-sales" },
  132: { zh: "视频号小店优惠券管理", en: "Channels store: coupons" },
  135: { zh: "流量主代运营", en: "Ad publisher operation" },
  139: { zh: "小程序运费险", en: "Shipping insurance" },
  142: { zh: "小程序发货管理服务", en: "Shipping info management" },
  144: { zh: "小程序学生认证", en: "Student verification" },
  151: { zh: "小程序交易保障", en: "Transaction protection" },
  157: { zh: "小程序虚拟支付管理", en: "Virtual payments" },
  161: { zh: "微信客服管理", en: "WeChat customer service" },
  // Channels (视频号)
  143: { zh: "视频号留资组件管理", en: "Channels lead forms" },
  160: { zh: "视频号留资服务的直播数据", en: "Channels lead live data" },
  176: { zh: "达人数据", en: "Creator data" },
  177: { zh: "视频号商品橱窗管理", en: "Channels product showcase" },
};

/** The permission set's name in `locale`, or `#N` when WeChat's lists do not name it. */
export function permissionName(id: number, locale: string): string {
  const name = PERMISSION_NAMES[id];
  if (!name) return `#${id}`;
  return locale.startsWith("zh") ? name.zh : name.en;
}

export function isKnownPermission(id: number): boolean {
  return id in PERMISSION_NAMES;
}
