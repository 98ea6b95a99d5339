/**
 * 困难帮扶申请（会员）：类别、家庭情况、申请金额、证明材料照片；大病救助另填疾病和医疗费用，
 * 提交后显示按分档定额标准测算的参考补助金额，可进入详情看办理进度。
 */
const api = require('../../utils/api')
const form = require('../../utils/form')
const meta = require('../../utils/meta')
const photos = require('../../utils/photos')
const { action } = require('../../utils/page')

const SERIOUS_ILLNESS = 'serious_illness'

function emptyForm() {
  return {
    household_size: '',
    monthly_income: '',
    situation: '',
    amount_requested: '',
    illness: '',
    medical_total: '',
    medical_reimbursed: '',
  }
}

Component({
  data: {
    categories: [],
    ...photos.pageData(),
    categoryIndex: -1,
    illnessFields: false,
    form: emptyForm(),
    errors: {},
    result: null,
    busy: false,
  },

  methods: {
    ...photos.pageMethods,

    onLoad: action(async function onLoad() {
      await meta.load()
      this.setData({ categories: meta.options('aid_categories') })
    }),

    onInput(event) {
      form.onInput(this, event)
    },

    onCategory(event) {
      const categoryIndex = Number(event.detail.value)
      const illnessFields = this.data.categories[categoryIndex].value === SERIOUS_ILLNESS
      this.setData({ categoryIndex, illnessFields, 'errors.category': '' })
    },

    body() {
      const f = this.data.form
      const category = this.data.categoryIndex >= 0 ? this.data.categories[this.data.categoryIndex].value : ''
      const body = {
        category,
        household_size: /^\d+$/.test(f.household_size) ? Number(f.household_size) : f.household_size,
        monthly_income: f.monthly_income,
        situation: f.situation,
        amount_requested: f.amount_requested,
      }
      if (category === SERIOUS_ILLNESS) {
        Object.assign(body, {
          illness: f.illness,
          medical_total: f.medical_total,
          medical_reimbursed: f.medical_reimbursed,
        })
      }
      return body
    },

    checkRequired(body) {
      const fields = [
        { name: 'category', label: '帮扶类别', value: body.category, choose: true },
        { name: 'household_size', label: '家庭人口数', value: body.household_size },
        { name: 'monthly_income', label: '家庭月收入', value: body.monthly_income },
        { name: 'situation', label: '家庭困难情况', value: body.situation },
        { name: 'amount_requested', label: '申请金额', value: body.amount_requested },
      ]
      if (body.category === SERIOUS_ILLNESS) {
        fields.push(
          { name: 'illness', label: '疾病名称', value: body.illness },
          { name: 'medical_total', label: '医疗总费用', value: body.medical_total },
          { name: 'medical_reimbursed', label: '已报销金额（没有填 0）', value: body.medical_reimbursed }
        )
      }
      return form.requireFields(this, fields)
    },

    onSubmit: action(
      async function onSubmit() {
        const subscribed = api.subscribe(meta.templates('aid'))
        const evidenceIds = photos.ids(this)
        if (!evidenceIds) return
        const body = { ...this.body(), evidence_ids: evidenceIds }
        if (!this.checkRequired(body)) return
        await subscribed
        this.setData({ errors: {} })
        const result = await api.submit(this, '/aid-requests', body)
        this.setData({ result, form: emptyForm(), categoryIndex: -1, illnessFields: false, photos: [] })
        wx.pageScrollTo({ selector: '#result', duration: 200 })
        wx.showToast({ title: '申请已提交', icon: 'success' })
      },
      { exclusive: true }
    ),

    onDetail() {
      wx.navigateTo({ url: `/pages/aid/detail?id=${this.data.result.id}` })
    },
  },
})
