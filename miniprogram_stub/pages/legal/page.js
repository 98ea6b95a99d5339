/**
 * 法律援助预约：选中心 → 选空闲时段 → 选咨询事项和方式 → 预约；我的预约可改约到另一个空闲时段，
 * 或选一个原因取消。
 */
const api = require('../../utils/api')
const form = require('../../utils/form')
const meta = require('../../utils/meta')
const pager = require('../../utils/pager')
const { action } = require('../../utils/page')
const { when } = require('../../utils/format')

// 取消原因：给后端的是一句话（自由文本），选“其他原因”时自己写
const CANCEL_REASONS = ['时间有冲突，来不了', '问题已经解决', '想换一位律师或换个方式', '其他原因']

function bookingView(b) {
  return {
    ...b,
    when: when(b.starts_at),
    canCancel: (b.allowed_actions || []).includes('cancel'),
    canMove: (b.allowed_actions || []).includes('reschedule'),
  }
}

function slotView(s) {
  return { ...s, when: when(s.starts_at), modesText: s.mode_labels.join('、') }
}

// 页面定义：index（列表与报名）和 mine（我的）两个页面共用同一份逻辑。
module.exports = {
  data: {
    centers: [],
    center: null,
    slots: [],
    slot: null,
    centersMore: false,
    topics: [],
    topicIndex: -1,
    modeIndex: -1,
    description: '',
    errors: {},
    slotsMore: false,
    bookings: [],
    bookingsMore: false,
    cancelReasons: CANCEL_REASONS,
    cancelling: null,
    cancelIndex: -1,
    cancelOther: '',
    moving: null,
    moveSlots: [],
    moveSlotsMore: false,
    busy: false,
  },

  methods: {
    onLoad: action(async function onLoad() {
      this.centersPager = pager.create(this, 'centers', '/legal-aid/centers', { auth: false })
      this.bookingsPager = pager.create(this, 'bookings', '/legal-aid/bookings/mine', { map: bookingView })
      await Promise.all([this.centersPager.reload(), meta.load()])
      this.setData({ topics: meta.options('legal_topics') })
      await this.loadBookings()
    }),

    onPullDownRefresh: action(async function onPullDownRefresh() {
      await Promise.all([this.centersPager.reload(), this.loadBookings()])
      wx.stopPullDownRefresh()
    }),

    onReachBottom: action(async function onReachBottom() {
      // 页面最下面是“我的预约”
      await this.bookingsPager.more()
    }),

    onMoreCenters: action(async function onMoreCenters() {
      await this.centersPager.more()
    }),

    onMoreSlots: action(async function onMoreSlots() {
      await this.slotsPager.more()
    }),

    onMoreMoveSlots: action(async function onMoreMoveSlots() {
      await this.moveSlotsPager.more()
    }),

    async loadBookings() {
      await this.bookingsPager.reload()
    },

    onPickCenter: action(async function onPickCenter(event) {
      const center = this.data.centers.find((c) => c.id === Number(event.currentTarget.dataset.id))
      this.slotsPager = pager.create(this, 'slots', '/legal-aid/slots', {
        auth: false,
        query: { center_id: center.id },
        map: slotView,
      })
      this.setData({ center, slot: null })
      await this.slotsPager.reload()
    }),

    onPickSlot(event) {
      const slot = this.data.slots.find((s) => s.id === Number(event.currentTarget.dataset.id))
      this.setData({ slot, modeIndex: slot.modes.length === 1 ? 0 : -1, errors: {} })
    },

    onTopic(event) {
      this.setData({ topicIndex: Number(event.detail.value), 'errors.topic': '' })
    },

    onMode(event) {
      this.setData({ modeIndex: Number(event.detail.value), 'errors.mode': '' })
    },

    onDescription(event) {
      this.setData({ description: event.detail.value })
    },

    onBook: action(
      async function onBook() {
        const d = this.data
        const body = {
          slot_id: d.slot.id,
          topic: d.topicIndex >= 0 ? d.topics[d.topicIndex].value : '',
          mode: d.modeIndex >= 0 ? d.slot.modes[d.modeIndex] : '',
          description: d.description,
        }
        const subscribed = api.subscribe(meta.templates('legal'))
        const ok = form.requireFields(this, [
          { name: 'topic', label: '咨询事项', value: body.topic, choose: true },
          { name: 'mode', label: '咨询方式', value: body.mode, choose: true },
        ])
        if (!ok) return
        await subscribed
        this.setData({ errors: {} })
        const booking = await api.submit(this, '/legal-aid/bookings', body)
        this.setData({ slot: null, slots: d.slots.filter((s) => s.id !== booking.slot_id), description: '', topicIndex: -1 })
        wx.showToast({ title: `已预约 ${when(booking.starts_at)}`, icon: 'success' })
        await this.loadBookings()
      },
      { exclusive: true }
    ),

    // 取消：先选原因，再确认
    onCancel(event) {
      const id = Number(event.currentTarget.dataset.id)
      this.setData({ cancelling: id, cancelIndex: -1, cancelOther: '', moving: null, errors: {} })
    },

    onCancelReason(event) {
      this.setData({ cancelIndex: Number(event.detail.value), 'errors.reason': '' })
    },

    onCancelOther(event) {
      this.setData({ cancelOther: event.detail.value, 'errors.reason': '' })
    },

    onCancelBack() {
      this.setData({ cancelling: null })
    },

    onConfirmCancel: action(
      async function onConfirmCancel() {
        const d = this.data
        const other = d.cancelIndex === CANCEL_REASONS.length - 1
        const reason = d.cancelIndex < 0 ? '' : other ? d.cancelOther.trim() : CANCEL_REASONS[d.cancelIndex]
        const label = d.cancelIndex < 0 ? '取消原因' : '具体原因'
        if (!form.requireFields(this, [{ name: 'reason', label, value: reason, choose: d.cancelIndex < 0 }])) return
        const confirmed = await new Promise((resolve) =>
          wx.showModal({ title: '取消预约', content: `确定取消这次法律咨询预约吗？（${reason}）`, success: (res) => resolve(res.confirm) })
        )
        if (!confirmed) return
        await api.post(`/legal-aid/bookings/${d.cancelling}/cancel`, { reason })
        this.setData({ cancelling: null })
        wx.showToast({ title: '已取消', icon: 'success' })
        await this.loadBookings()
      },
      { exclusive: true }
    ),

    // 改约：列出同一中心的空闲时段，选一个
    onMove: action(async function onMove(event) {
      const id = Number(event.currentTarget.dataset.id)
      const booking = this.data.bookings.find((b) => b.id === id)
      this.moveSlotsPager = pager.create(this, 'moveSlots', '/legal-aid/slots', {
        auth: false,
        query: { center_id: booking.center.id },
        map: slotView,
      })
      await this.moveSlotsPager.reload()
      this.setData({ moving: id, cancelling: null })
    }),

    onMoveBack() {
      this.setData({ moving: null, moveSlots: [] })
    },

    onMoveTo: action(
      async function onMoveTo(event) {
        const slotId = Number(event.currentTarget.dataset.id)
        const slot = this.data.moveSlots.find((s) => s.id === slotId)
        const confirmed = await new Promise((resolve) =>
          wx.showModal({ title: '改约', content: `改到 ${slot.when}（${slot.lawyer.name} 律师）吗？原来的时段将让给别人。`, success: (res) => resolve(res.confirm) })
        )
        if (!confirmed) return
        const booking = await api.post(`/legal-aid/bookings/${this.data.moving}/reschedule`, { slot_id: slotId })
        this.setData({ moving: null, moveSlots: [] })
        wx.showToast({ title: `已改到 ${when(booking.starts_at)}`, icon: 'success' })
        await this.loadBookings()
      },
      { exclusive: true }
    ),
  },
}
