/**
 * 首页：微信登录，显示会员状态和未读消息，进入各项服务。
 */
const api = require('../../utils/api')
const { action } = require('../../utils/page')
const meta = require('../../utils/meta')

const SERVICES = [
  { id: 'wage', name: '欠薪求助', url: '/pages/wages/index', membersOnly: false },
  { id: 'aid', name: '困难帮扶', url: '/pages/aid/index', membersOnly: true },
  { id: 'legal', name: '法律援助', url: '/pages/legal/index', membersOnly: true },
  { id: 'events', name: '联谊交友', url: '/pages/events/index', membersOnly: true },
  { id: 'competitions', name: '劳动和技能竞赛', url: '/pages/competitions/index', membersOnly: true },
  { id: 'announcements', name: '工会公告', url: '/pages/announcements/index', membersOnly: true },
  { id: 'requests', name: '我的求助', url: '/pages/requests/index', membersOnly: false },
  { id: 'me', name: '我的', url: '/pages/me/index', membersOnly: false },
]

Component({
  data: {
    loggedIn: false,
    summary: null,
    applicationLabel: '',
    unread: 0,
    services: SERVICES,
    busy: false,
  },

  methods: {
    onLoad: action(async function onLoad() {
      await this.refresh()
    }),

    onShow: action(async function onShow() {
      if (this.data.loggedIn) await this.refresh()
    }),

    async refresh() {
      const summary = await api.me()
      const [{ unread }] = await Promise.all([api.get('/notifications/unread-count'), meta.load()])
      const application = summary.application
      this.setData({
        loggedIn: true,
        summary,
        unread,
        applicationLabel: application ? application.status_label || meta.statusLabel('membership', application.status) : '',
      })
    },

    onRetryLogin: action(async function onRetryLogin() {
      await this.refresh()
    }),

    onOpen(event) {
      const service = SERVICES.find((s) => s.id === event.currentTarget.dataset.id)
      if (service.membersOnly && !(this.data.summary && this.data.summary.is_member)) {
        wx.showModal({
          title: '请先入会',
          content: `${service.name}仅限工会会员使用，现在申请入会吗？`,
          success: (res) => res.confirm && wx.navigateTo({ url: '/pages/join/index' }),
        })
        return
      }
      wx.navigateTo({ url: service.url })
    },

    onJoin() {
      wx.navigateTo({ url: '/pages/join/index' })
    },

    onCard() {
      wx.navigateTo({ url: '/pages/card/index' })
    },

    onInbox() {
      wx.navigateTo({ url: '/pages/inbox/index' })
    },
  },
})
