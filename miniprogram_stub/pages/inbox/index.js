/**
 * 消息：工会发来的通知（最新在前），点开标记已读并跳到相关页面；全部标为已读。
 */
const api = require('../../utils/api')
const { action } = require('../../utils/page')

const DAY = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/

function when(iso) {
  const m = DAY.exec(iso || '')
  return m ? `${m[1]} ${m[2]}` : iso
}

Component({
  data: { notifications: [], unread: 0, busy: false },

  methods: {
    onLoad: action(async function onLoad() {
      await this.refresh()
    }),

    async refresh() {
      const { items, header } = await api.list('/notifications')
      const unreadHeader = Object.keys(header || {}).find((k) => k.toLowerCase() === 'x-unread-count')
      this.setData({
        notifications: items.map((n) => ({ ...n, when: when(n.created_at) })),
        unread: unreadHeader ? Number(header[unreadHeader]) : items.filter((n) => !n.read).length,
      })
    },

    onOpen: action(async function onOpen(event) {
      const id = Number(event.currentTarget.dataset.id)
      const notification = this.data.notifications.find((n) => n.id === id)
      if (!notification.read) {
        await api.post(`/notifications/${id}/read`)
        await this.refresh()
      }
      if (notification.page) wx.navigateTo({ url: `/${notification.page}` })
    }),

    onReadAll: action(async function onReadAll() {
      await api.post('/notifications/read-all')
      await this.refresh()
    }),
  },
})
