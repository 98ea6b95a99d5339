/**
 * 电子会员卡：卡号与签名二维码内容（5 分钟有效，过期刷新）。正式版用二维码组件把 qr_payload 画成码。
 */
const api = require('../../utils/api')
const { action } = require('../../utils/page')

Component({
  data: { card: null, notMember: false, busy: false },

  methods: {
    onLoad: action(async function onLoad() {
      await this.load()
    }),

    onRefresh: action(async function onRefresh() {
      await this.load()
    }),

    async load() {
      try {
        this.setData({ card: await api.get('/me/card'), notMember: false })
      } catch (err) {
        if (err.code !== 'not_a_member') throw err
        this.setData({ card: null, notMember: true })
      }
    },

    onJoin() {
      wx.navigateTo({ url: '/pages/join/index' })
    },
  },
})
