/**
 * 联谊交友活动：可报名的活动、报名（先确认单身声明；满员进入候补）、我的报名、取消报名；
 * 报名成功的出示入场码（二维码，过期前自动换新）签到；活动结束后给签到的其他人“心动”，
 * 互相心动的看到对方的联系方式。
 */
const api = require('../../utils/api')
const meta = require('../../utils/meta')
const pager = require('../../utils/pager')
const qr = require('../../utils/qr')
const { action } = require('../../utils/page')
const { when } = require('../../utils/format')

function confirm(title, content) {
  return new Promise((resolve) =>
    wx.showModal({ title, content, confirmText: '确认', success: (res) => resolve(res.confirm) })
  )
}

function over(event) {
  return event.status === 'finished' || (event.status === 'published' && Date.parse(event.ends_at) <= Date.now())
}

function signupView(s) {
  const ended = over(s.event)
  return {
    ...s,
    when: when(s.event.starts_at),
    canCancel: s.status !== 'cancelled' && s.event.status === 'published' && !ended,
    canTicket: s.status === 'seated' && s.event.status === 'published' && !ended,
    canPick: ended && Boolean(s.checked_in_at),
  }
}

// 页面定义：index（列表与报名）和 mine（我的）两个页面共用同一份逻辑。
module.exports = {
  data: {
    events: [],
    eventsMore: false,
    mine: [],
    mineMore: false,
    ticket: null,
    picking: null,
    attendees: [],
    matches: [],
    busy: false,
  },

  methods: {
    onLoad: action(async function onLoad() {
      this.eventsPager = pager.create(this, 'events', '/events', {
        map: (e) => ({ ...e, when: when(e.starts_at) }),
      })
      this.minePager = pager.create(this, 'mine', '/events/mine', { map: signupView })
      await this.refresh()
    }),

    onUnload() {
      clearTimeout(this._renewal)
    },

    onPullDownRefresh: action(async function onPullDownRefresh() {
      await this.refresh()
      wx.stopPullDownRefresh()
    }),

    onReachBottom: action(async function onReachBottom() {
      // 页面最下面是“我的报名”
      await this.minePager.more()
      this.markSignedUp()
    }),

    onMoreEvents: action(async function onMoreEvents() {
      await this.eventsPager.more()
      this.markSignedUp()
    }),

    async refresh() {
      await Promise.all([this.eventsPager.reload(), this.minePager.reload(), meta.load()])
      this.markSignedUp()
    },

    markSignedUp() {
      const active = new Set(this.data.mine.filter((s) => s.status !== 'cancelled').map((s) => s.event_id))
      this.setData({ events: this.data.events.map((e) => ({ ...e, signedUp: active.has(e.id) })) })
    },

    onSignUp: action(
      async function onSignUp(event) {
        const id = Number(event.currentTarget.dataset.id)
        const subscribed = api.subscribe(meta.templates('event'))
        const detail = await api.get(`/events/${id}`)
        await subscribed
        if (!detail.can_sign_up) {
          wx.showToast({ title: detail.reason || '暂不能报名', icon: 'none' })
          return
        }
        if (!(await confirm('单身声明', detail.declaration.text))) return
        const body = { single_declared: true, declaration_version: detail.declaration.version }
        const signup = await api.submit(this, `/events/${id}/signups`, body)
        const message =
          signup.status === 'waitlisted' ? `名额已满，已进入候补第 ${signup.waitlist_position} 位` : '报名成功'
        wx.showToast({ title: message, icon: signup.status === 'waitlisted' ? 'none' : 'success' })
        await this.refresh()
      },
      { exclusive: true }
    ),

    onCancel: action(async function onCancel(event) {
      const id = Number(event.currentTarget.dataset.id)
      if (!(await confirm('取消报名', '确定取消报名吗？名额将让给候补的会员。'))) return
      await api.post(`/events/${id}/signups/cancel`)
      wx.showToast({ title: '已取消报名', icon: 'success' })
      await this.refresh()
    }),

    // --- 入场码 ---
    onTicket: action(async function onTicket(event) {
      await this.showTicket(Number(event.currentTarget.dataset.id))
    }),

    async showTicket(eventId) {
      clearTimeout(this._renewal)
      const ticket = await api.get(`/events/${eventId}/ticket`)
      const signup = this.data.mine.find((s) => s.event_id === eventId)
      this.setData({
        ticket: { ...ticket, title: signup ? signup.event.title : '', validMinutes: Math.round(ticket.qr_expires_in / 60) },
      })
      await qr.draw(this, '#ticket-qr', ticket.qr_payload)
      this._renewal = qr.scheduleRenewal(ticket.qr_expires_in, () => this.onRenewTicket())
    },

    onRenewTicket: action(async function onRenewTicket() {
      if (this.data.ticket) await this.showTicket(this.data.ticket.event_id)
    }),

    onCloseTicket() {
      clearTimeout(this._renewal)
      this.setData({ ticket: null })
    },

    // --- 心动与配对 ---
    onPick: action(async function onPick(event) {
      const id = Number(event.currentTarget.dataset.id)
      const [attendees, matches] = await Promise.all([api.get(`/events/${id}/attendees`), api.get(`/events/${id}/matches`)])
      this.setData({
        picking: id,
        attendees: attendees.map((a) => ({ ...a, chosen: a.interested })),
        matches,
      })
    }),

    onToggle(event) {
      const memberId = Number(event.currentTarget.dataset.id)
      this.setData({
        attendees: this.data.attendees.map((a) =>
          a.member_id === memberId && !a.interested ? { ...a, chosen: !a.chosen } : a
        ),
      })
    },

    onSendInterests: action(
      async function onSendInterests() {
        const ids = this.data.attendees.filter((a) => a.chosen && !a.interested).map((a) => a.member_id)
        if (!ids.length) {
          wx.showToast({ title: '请先点选心动的人', icon: 'none' })
          return
        }
        const eventId = this.data.picking
        const attendees = await api.submit(this, `/events/${eventId}/interests`, { member_ids: ids })
        const matches = await api.get(`/events/${eventId}/matches`)
        this.setData({ attendees: attendees.map((a) => ({ ...a, chosen: a.interested })), matches })
        wx.showToast({
          title: matches.length ? `有 ${matches.length} 位和您互相心动` : '已送出心动，对方也选您时会通知您',
          icon: 'none',
        })
      },
      { exclusive: true }
    ),
  },
}
