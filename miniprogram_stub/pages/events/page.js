/**
 * 联谊交友活动：可报名的活动、报名（先确认单身声明；满员进入候补）、我的报名、取消报名。
 */
const api = require('../../utils/api')
const config = require('../../config')
const { action } = require('../../utils/page')

const DAY = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/

function when(iso) {
  const m = DAY.exec(iso || '')
  return m ? `${m[1]} ${m[2]}` : iso
}

function confirm(title, content) {
  return new Promise((resolve) =>
    wx.showModal({ title, content, confirmText: '确认', success: (res) => resolve(res.confirm) })
  )
}

// 页面定义：index（列表与报名）和 mine（我的）两个页面共用同一份逻辑。
module.exports = {
  data: { events: [], mine: [], busy: false },

  methods: {
    onLoad: action(async function onLoad() {
      await this.refresh()
    }),

    async refresh() {
      const [{ items }, mine] = await Promise.all([api.list('/events'), api.get('/events/mine')])
      const active = {}
      mine.forEach((s) => {
        if (s.status !== 'cancelled') active[s.event_id] = s
      })
      this.setData({
        events: items.map((e) => ({ ...e, when: when(e.starts_at), signedUp: Boolean(active[e.id]) })),
        mine: mine.map((s) => ({
          ...s,
          when: when(s.event.starts_at),
          canCancel: s.status !== 'cancelled' && s.event.status === 'published',
        })),
      })
    },

    onSignUp: action(
      async function onSignUp(event) {
        const id = Number(event.currentTarget.dataset.id)
        const subscribed = api.subscribe(config.templates.events)
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
  },
}
