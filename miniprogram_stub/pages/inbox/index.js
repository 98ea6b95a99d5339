/**
 * 消息：工会发来的通知（最新在前），点开标记已读并跳到相关页面；全部标为已读；下拉刷新、触底加载更多。
 */
const api = require('../../utils/api')
const pager = require('../../utils/pager')
const { action } = require('../../utils/page')
const { when } = require('../../utils/format')

Component({
  data: { notifications: [], notificationsMore: false, unread: 0, busy: false },

  methods: {
    onLoad: action(async function onLoad() {
      this.pager = pager.create(this, 'notifications', '/notifications', {
        map: (n) => ({ ...n, when: when(n.created_at) }),
        onResponse: (res) => {
          const unread = api.header(res, 'X-Unread-Count')
          if (unread !== undefined) this.setData({ unread: Number(unread) })
        },
      })
      await this.pager.reload()
    }),

    onPullDownRefresh: action(async function onPullDownRefresh() {
      await this.pager.reload()
      wx.stopPullDownRefresh()
    }),

    onReachBottom: action(async function onReachBottom() {
      await this.pager.more()
    }),

    onOpen: action(async function onOpen(event) {
      const id = Number(event.currentTarget.dataset.id)
      const index = this.data.notifications.findIndex((n) => n.id === id)
      const notification = this.data.notifications[index]
      if (!notification.read) {
        await api.post(`/notifications/${id}/read`)
        this.setData({ [`notifications[${index}].read`]: true, unread: Math.max(0, this.data.unread - 1) })
      }
      if (notification.page) wx.navigateTo({ url: `/${notification.page}` })
    }),

    onReadAll: action(async function onReadAll() {
      await api.post('/notifications/read-all')
      await this.pager.reload()
    }),
  },
})
