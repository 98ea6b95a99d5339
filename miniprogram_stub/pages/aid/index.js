/**
 * 困难帮扶申请（会员）：类别、家庭情况、申请金额；大病救助另填疾病和医疗费用，
 * 提交后显示按分档定额标准测算的参考补助金额。
 */
const api = require('../../utils/api')
const config = require('../../config')
const form = require('../../utils/form')
const labels = require('../../utils/labels')
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
    categories: labels.aidCategories,
    categoryIndex: -1,
    illnessFields: false,
    form: emptyForm(),
    errors: {},
    result: null,
    busy: false,
  },

  methods: {
    onLoad() {},

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

    onSubmit: action(
      async function onSubmit() {
        const body = this.body()
        await api.subscribe(config.templates.aid)
        this.setData({ errors: {} })
        const result = await api.submit(this, '/aid-requests', body)
        this.setData({ result, form: emptyForm(), categoryIndex: -1, illnessFields: false })
        wx.showToast({ title: '申请已提交', icon: 'success' })
      },
      { exclusive: true }
    ),

    onMine() {
      wx.navigateTo({ url: '/pages/requests/index' })
    },
  },
})
