/**
 * 小程序配置。开发者工具里把 baseUrl 改成后端地址（真机调试需 HTTPS 并在小程序后台配置合法域名）。
 */
module.exports = {
  // 后端地址：本机 `make run` 启动的 API；测试时由测试程序改为临时后端的地址
  baseUrl: 'http://127.0.0.1:8000',
  apiPrefix: '/api/v1',
  // 单次请求超时（毫秒）
  timeoutMs: 15000,
  // 网络错误（及 502/503/504）时的重试：最多 attempts 次，间隔 baseDelayMs × 2^n，封顶 maxDelayMs
  retry: { attempts: 3, baseDelayMs: 1000, maxDelayMs: 8000 },
  // 欠薪求助离线暂存：联网后自动重新提交的间隔（毫秒）
  outboxRetryMs: 30000,
  // 订阅消息模板 id（与后端 config/notifications/*.yaml 的 template_id 一致；上线时换成公众平台分配的 id）。
  // 一次 wx.requestSubscribeMessage 最多 3 个。
  templates: {
    join: ['TPL_REVIEW_RESULT'],
    aid: ['TPL_CASE_PROGRESS'],
    wage: ['TPL_CASE_PROGRESS'],
    legal: ['TPL_LEGAL_BOOKING', 'TPL_LEGAL_REMINDER', 'TPL_LEGAL_RESULT'],
    events: ['TPL_EVENT_SIGNUP', 'TPL_EVENT_MATCH'],
    competitions: ['TPL_COMPETITION_SIGNUP', 'TPL_COMPETITION_RESULT'],
  },
  // 隐私政策版本（与后端 CONSENT_VERSION 一致）
  consentVersion: '2026-01',
}
