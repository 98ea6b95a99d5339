/**
 * 工会公告：本工会和各上级工会发布的公告（最新在前），点开看全文；下拉刷新、触底加载更多。
 */
const pager = require('../../utils/pager')
const { action } = require('../../utils/page')
const { when } = require('../../utils/format')

Component({
  data: { announcements: [], announcementsMore: false, open: null, notMember: false, busy: false },

  methods: {
    onLoad: action(async function onLoad() {
      this.pager = pager.create(this, 'announcements', '/announcements', {
        map: (a) => ({ ...a, when: when(a.published_at), preview: a.body.length > 60 ? `${a.body.slice(0, 60)}…` : a.body }),
      })
      try {
        await this.pager.reload()
      } catch (err) {
        if (err.code !== 'not_a_member') throw err
        this.setData({ notMember: true })
      }
    }),

    onPullDownRefresh: action(async function onPullDownRefresh() {
      await this.pager.reload()
      wx.stopPullDownRefresh()
    }),

    onReachBottom: action(async function onReachBottom() {
      await this.pager.more()
    }),

    onOpen(event) {
      const id = Number(event.currentTarget.dataset.id)
      this.setData({ open: this.data.open === id ? null : id })
    },

    onJoin() {
      wx.navigateTo({ url: '/pages/join/index' })
    },
  },
})
