/**
 * 法律援助预约：选中心 → 选空闲时段 → 选咨询事项和方式 → 预约；我的预约可取消。
 */
const api = require('../../utils/api')
const config = require('../../config')
const labels = require('../../utils/labels')
const { action } = require('../../utils/page')

const DAY = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/

/** "2026-12-01T09:00:00+08:00" → "2026-12-01 09:00"（后端已按北京时间给出）。 */
function when(iso) {
  const m = DAY.exec(iso || '')
  return m ? `${m[1]} ${m[2]}` : iso
}

// 页面定义：index（列表与报名）和 mine（我的）两个页面共用同一份逻辑。
module.exports = {
  data: {
    centers: [],
    center: null,
    slots: [],
    slot: null,
    topics: labels.legalTopics,
    topicIndex: -1,
    modeIndex: -1,
    description: '',
    errors: {},
    bookings: [],
    busy: false,
  },

  methods: {
    onLoad: action(async function onLoad() {
      const { items } = await api.list('/legal-aid/centers', {}, { auth: false })
      this.setData({ centers: items })
      await this.loadBookings()
    }),

    async loadBookings() {
      const bookings = await api.get('/legal-aid/bookings/mine')
      this.setData({
        bookings: bookings.map((b) => ({
          ...b,
          when: when(b.starts_at),
          canCancel: (b.allowed_actions || []).includes('cancel'),
        })),
      })
    },

    onPickCenter: action(async function onPickCenter(event) {
      const center = this.data.centers.find((c) => c.id === Number(event.currentTarget.dataset.id))
      const { items } = await api.list('/legal-aid/slots', { center_id: center.id }, { auth: false })
      this.setData({
        center,
        slot: null,
        slots: items.map((s) => ({ ...s, when: when(s.starts_at), modesText: s.mode_labels.join('、') })),
      })
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
        await api.subscribe(config.templates.legal)
        this.setData({ errors: {} })
        const booking = await api.submit(this, '/legal-aid/bookings', body)
        this.setData({ slot: null, slots: d.slots.filter((s) => s.id !== booking.slot_id), description: '', topicIndex: -1 })
        wx.showToast({ title: `已预约 ${when(booking.starts_at)}`, icon: 'success' })
        await this.loadBookings()
      },
      { exclusive: true }
    ),

    onCancel: action(async function onCancel(event) {
      const id = Number(event.currentTarget.dataset.id)
      const confirmed = await new Promise((resolve) =>
        wx.showModal({ title: '取消预约', content: '确定取消这次法律咨询预约吗？', success: (res) => resolve(res.confirm) })
      )
      if (!confirmed) return
      await api.post(`/legal-aid/bookings/${id}/cancel`, { reason: '时间有冲突' })
      wx.showToast({ title: '已取消', icon: 'success' })
      await this.loadBookings()
    }),
  },
}
