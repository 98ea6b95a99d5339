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
  // 附件上传超时（毫秒）：便宜手机在工地的网络上传一张照片可能要很久
  uploadTimeoutMs: 60000,
  // 每件求助最多几张照片（与后端 uploads.MAX_PER_CASE 一致）
  maxPhotos: 9,
  // 会员码、入场码在过期前多少秒自动换新
  qrRenewLeadSeconds: 30,
  // 列表每页条数
  pageSize: 20,
}
