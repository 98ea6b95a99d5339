/**
 * 我的求助：帮扶申请和欠薪求助及其办理状态（点开看详情和办理经过），手机上待发送的欠薪求助；
 * 帮扶申请在批准前可撤回。列表下拉刷新、触底加载更多。
 */
const api = require('../../utils/api')
const outbox = require('../../utils/outbox')
const pager = require('../../utils/pager')
const { action } = require('../../utils/page')
const { when } = require('../../utils/format')

const stamp = (item) => ({ ...item, when: when(item.submitted_at) })

Component({
  data: { aid: [], aidMore: false, wages: [], wagesMore: false, pending: [], isMember: false, busy: false },

  methods: {
    onLoad: action(async function onLoad() {
      this.wagesPager = pager.create(this, 'wages', '/wage-claims/mine', { map: stamp })
      this.aidPager = pager.create(this, 'aid', '/aid-requests/mine', { map: stamp })
      await this.refresh()
    }),

    onPullDownRefresh: action(async function onPullDownRefresh() {
      await this.refresh()
      wx.stopPullDownRefresh()
    }),

    onReachBottom: action(async function onReachBottom() {
      await Promise.all([this.wagesPager.more(), this.data.isMember ? this.aidPager.more() : null])
    }),

    async refresh() {
      const summary = await api.me()
      await Promise.all([this.wagesPager.reload(), summary.is_member ? this.aidPager.reload() : null])
      this.setData({
        isMember: summary.is_member,
        pending: outbox.pending().map((e) => ({ key: e.key, employer: e.body.employer, amount: e.body.amount_owed })),
      })
    },

    onRetry: action(async function onRetry() {
      await outbox.flush()
      await this.refresh()
    }),

    onWage(event) {
      wx.navigateTo({ url: `/pages/wages/detail?id=${event.currentTarget.dataset.id}` })
    },

    onAid(event) {
      wx.navigateTo({ url: `/pages/aid/detail?id=${event.currentTarget.dataset.id}` })
    },

    onWithdraw: action(async function onWithdraw(event) {
      const id = Number(event.currentTarget.dataset.id)
      const confirmed = await new Promise((resolve) =>
        wx.showModal({ title: '撤回申请', content: '确定撤回这份帮扶申请吗？', success: (res) => resolve(res.confirm) })
      )
      if (!confirmed) return
      await api.post(`/aid-requests/${id}/withdraw`)
      wx.showToast({ title: '已撤回', icon: 'success' })
      await this.refresh()
    }),
  },
})
