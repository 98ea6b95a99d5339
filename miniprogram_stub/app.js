/**
 * 小程序入口：启动时登录（wx.login → 后端令牌），并在联网时补发离线暂存的欠薪求助。
 */
const api = require('./utils/api')
const outbox = require('./utils/outbox')

App({
  onLaunch() {
    api.ensureLogin().catch(() => {
      // 首页会再次尝试登录并提示用户
    })
    outbox.start()
  },

  onShow() {
    outbox.flush()
  },
})
