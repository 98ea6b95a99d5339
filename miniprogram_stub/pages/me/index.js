/**
 * 我的：会员信息、我办过的事（入口）、会员关系转接和单位建会的进度，隐私政策，
 * 导出我的全部信息，注销并删除个人信息（先讲清楚注销会怎样）。
 */
const api = require('../../utils/api')
const meta = require('../../utils/meta')
const pager = require('../../utils/pager')
const { action } = require('../../utils/page')
const { when } = require('../../utils/format')

const RECORDS = [
  { id: 'card', name: '我的会员卡', url: '/pages/card/index', membersOnly: true },
  { id: 'join', name: '我的入会申请', url: '/pages/join/index', membersOnly: false },
  { id: 'requests', name: '我的求助（欠薪、帮扶）', url: '/pages/requests/index', membersOnly: false },
  { id: 'legal', name: '我的法律咨询预约', url: '/pages/legal/mine', membersOnly: true },
  { id: 'events', name: '我的活动报名', url: '/pages/events/mine', membersOnly: true },
  { id: 'competitions', name: '我参加的竞赛', url: '/pages/competitions/mine', membersOnly: true },
  { id: 'inbox', name: '消息', url: '/pages/inbox/index', membersOnly: false },
]

// 与后端注销（POST /me/erase）实际做的事一致
const ERASE_EXPLAINED =
  '注销后：您的姓名、身份证号、手机号等个人信息将被删除，微信与本账号解除绑定，会员卡失效；' +
  '审核中的入会、转会、建会申请自动撤回，未提交的照片被删除；统计中只保留不能识别您的记录。' +
  '注销无法撤销，之后再用需要重新申请入会。确定注销吗？'

const count = (list) => (list || []).length

Component({
  data: {
    summary: null,
    records: [],
    transfers: [],
    transfersMore: false,
    units: [],
    unitsMore: false,
    privacy: null,
    showPrivacy: false,
    exported: null,
    busy: false,
  },

  methods: {
    onLoad: action(async function onLoad() {
      this.transfersPager = pager.create(this, 'transfers', '/membership/transfers/mine', {
        map: (t) => ({ ...t, when: when(t.submitted_at), canWithdraw: t.status === 'submitted' }),
      })
      this.unitsPager = pager.create(this, 'units', '/unit-applications/mine', {
        map: (u) => ({ ...u, when: when(u.submitted_at) }),
      })
      await this.refresh()
    }),

    onMoreTransfers: action(async function onMoreTransfers() {
      await this.transfersPager.more()
    }),

    onMoreUnits: action(async function onMoreUnits() {
      await this.unitsPager.more()
    }),

    onShow: action(async function onShow() {
      if (this._shown) await this.refresh()
      this._shown = true
    }),

    onPullDownRefresh: action(async function onPullDownRefresh() {
      await this.refresh()
      wx.stopPullDownRefresh()
    }),

    async refresh() {
      const [summary, reference] = await Promise.all([api.me(), meta.load()])
      await Promise.all([summary.is_member ? this.transfersPager.reload() : null, this.unitsPager.reload()])
      this.setData({
        summary,
        privacy: reference.privacy_notice,
        records: RECORDS.filter((r) => summary.is_member || !r.membersOnly),
      })
    },

    onOpen(event) {
      wx.navigateTo({ url: event.currentTarget.dataset.url })
    },

    onTransfer() {
      wx.navigateTo({ url: '/pages/me/transfer' })
    },

    onUnit() {
      wx.navigateTo({ url: '/pages/me/unit' })
    },

    onWithdrawTransfer: action(async function onWithdrawTransfer(event) {
      const id = Number(event.currentTarget.dataset.id)
      const confirmed = await new Promise((resolve) =>
        wx.showModal({ title: '撤回转会申请', content: '撤回后会员关系留在原工会。确定撤回吗？', success: (res) => resolve(res.confirm) })
      )
      if (!confirmed) return
      await api.post(`/membership/transfers/${id}/withdraw`)
      wx.showToast({ title: '已撤回', icon: 'success' })
      await this.refresh()
    }),

    onTogglePrivacy() {
      this.setData({ showPrivacy: !this.data.showPrivacy })
    },

    onExport: action(async function onExport() {
      const data = await api.get('/me/export')
      this._export = data
      this.setData({
        exported: {
          when: when(data.exported_at),
          lines: [
            `会员信息：${data.member ? `${data.member.name}（卡号 ${data.member.card_no}）` : '无'}`,
            `入会申请 ${count(data.applications)} 份，转会申请 ${count(data.transfers)} 份，建会申请 ${count(data.unit_applications)} 份`,
            `欠薪求助 ${count(data.wage_claims)} 件，帮扶申请 ${count(data.aid_requests)} 件，照片和材料 ${count(data.uploads)} 个`,
            `法律咨询预约 ${count(data.legal_bookings)} 次，活动报名 ${count(data.event_signups)} 次，竞赛 ${count(data.competition_entries)} 项`,
            `消息 ${count(data.notifications)} 条`,
          ],
        },
      })
    }),

    onCopyExport() {
      wx.setClipboardData({
        data: JSON.stringify(this._export, null, 2),
        success: () => wx.showToast({ title: '已复制全部内容', icon: 'success' }),
      })
    },

    onErase: action(
      async function onErase() {
        const confirmed = await new Promise((resolve) =>
          wx.showModal({
            title: '注销并删除我的信息',
            content: ERASE_EXPLAINED,
            confirmText: '确定注销',
            confirmColor: '#c4161c',
            success: (res) => resolve(res.confirm),
          })
        )
        if (!confirmed) return
        const answer = await api.post('/me/erase', { confirm: true })
        api.logout()
        meta.forget()
        wx.showToast({ title: answer.message || '已注销', icon: 'success' })
        wx.reLaunch({ url: '/pages/index/index' })
      },
      { exclusive: true }
    ),
  },
})
