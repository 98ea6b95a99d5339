/**
 * 电子会员卡：本人姓名、卡号、所在工会，签名二维码画在 canvas 上（qrcode 库），过期前自动换新。
 */
const api = require('../../utils/api')
const qr = require('../../utils/qr')
const { action } = require('../../utils/page')

Component({
  data: { card: null, notMember: false, validMinutes: 0, busy: false },

  methods: {
    onLoad: action(async function onLoad() {
      await this.load()
    }),

    onUnload() {
      clearTimeout(this._renewal)
    },

    onRefresh: action(async function onRefresh() {
      await this.load()
    }),

    async load() {
      clearTimeout(this._renewal)
      let card
      try {
        card = await api.get('/me/card')
      } catch (err) {
        if (err.code !== 'not_a_member') throw err
        this.setData({ card: null, notMember: true })
        return
      }
      this.setData({ card, notMember: false, validMinutes: Math.round(card.qr_expires_in / 60) })
      await qr.draw(this, '#card-qr', card.qr_payload)
      this._renewal = qr.scheduleRenewal(card.qr_expires_in, () => this.onRefresh())
    },

    onJoin() {
      wx.navigateTo({ url: '/pages/join/index' })
    },
  },
})
