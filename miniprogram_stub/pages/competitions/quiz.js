/**
 * 安康杯等知识竞赛的限时答题：每人一次机会，开始即计时；题目从后端来（不含答案），
 * 时间到自动交卷；交卷后显示得分。交卷带 Idempotency-Key，网络断了重发也只算一次。
 */
const api = require('../../utils/api')
const { action } = require('../../utils/page')

function clock(seconds) {
  const m = Math.floor(seconds / 60)
  const s = seconds % 60
  return `${m}:${String(s).padStart(2, '0')}`
}

Component({
  data: {
    competition: null,
    attempt: null,
    questions: [],
    remaining: 0,
    remainingText: '',
    notStarted: false,
    busy: false,
  },

  methods: {
    onLoad: action(async function onLoad(query) {
      this._id = Number(query.id)
      const detail = await api.get(`/competitions/${this._id}`)
      this.setData({ competition: { ...detail.competition, can_enter: detail.can_enter, reason: detail.reason } })
      try {
        this.present(await api.get(`/competitions/${this._id}/quiz`))
      } catch (err) {
        if (err.code !== 'quiz_not_started') throw err
        this.setData({ notStarted: true })
      }
    }),

    onUnload() {
      clearInterval(this._tick)
    },

    present(attempt) {
      clearInterval(this._tick)
      const chosen = {}
      this.data.questions.forEach((q) => {
        chosen[q.id] = q.options.filter((o) => o.on).map((o) => o.key)
      })
      this.setData({
        attempt,
        notStarted: false,
        questions: (attempt.questions || []).map((q) => ({
          ...q,
          kindLabel: q.kind === 'multiple' ? '多选' : '单选',
          options: q.options.map((o) => ({ ...o, on: (chosen[q.id] || []).includes(o.key) })),
        })),
      })
      if (!attempt.submitted_at) this.startClock(attempt.remaining_seconds)
    },

    startClock(seconds) {
      const endsAt = Date.now() + seconds * 1000
      const tick = () => {
        const remaining = Math.max(0, Math.round((endsAt - Date.now()) / 1000))
        this.setData({ remaining, remainingText: clock(remaining) })
        if (remaining === 0) {
          clearInterval(this._tick)
          this.onSubmit({ auto: true })
        }
      }
      tick()
      this._tick = setInterval(tick, 1000)
    },

    onStart: action(
      async function onStart() {
        const c = this.data.competition
        const minutes = c.time_limit_minutes ? `限时 ${c.time_limit_minutes} 分钟，` : ''
        const confirmed = await new Promise((resolve) =>
          wx.showModal({
            title: '开始答题',
            content: `${minutes}每人只有一次机会，开始后计时不停，时间到自动交卷。现在开始吗？`,
            success: (res) => resolve(res.confirm),
          })
        )
        if (!confirmed) return
        this.present(await api.submit(this, `/competitions/${this._id}/quiz/start`, {}))
      },
      { exclusive: true }
    ),

    onChoose(event) {
      const { question, key } = event.currentTarget.dataset
      const index = this.data.questions.findIndex((q) => q.id === Number(question))
      const q = this.data.questions[index]
      const options = q.options.map((o) => {
        if (o.key === key) return { ...o, on: q.kind === 'multiple' ? !o.on : true }
        return q.kind === 'multiple' ? o : { ...o, on: false }
      })
      this.setData({ [`questions[${index}].options`]: options })
    },

    onSubmit: action(
      async function onSubmit(event) {
        const auto = event && event.auto
        const answers = this.data.questions.map((q) => ({
          question_id: q.id,
          choices: q.options.filter((o) => o.on).map((o) => o.key),
        }))
        const blank = answers.filter((a) => !a.choices.length).length
        if (!auto && blank) {
          const confirmed = await new Promise((resolve) =>
            wx.showModal({ title: '交卷', content: `还有 ${blank} 题没有作答，确定交卷吗？`, success: (res) => resolve(res.confirm) })
          )
          if (!confirmed) return
        }
        clearInterval(this._tick)
        const attempt = await api.submit(this, `/competitions/${this._id}/quiz/submit`, { answers })
        this.present(attempt)
        wx.showToast({ title: `已交卷，得分 ${attempt.score}`, icon: 'success' })
      },
      { exclusive: true }
    ),
  },
})
