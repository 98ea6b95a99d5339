/**
 * 表单：输入绑定、后端返回的字段错误（{errors:{字段:[消息]}}）变成页面上字段旁的提示。
 */

/** 后端错误 → {字段: '消息'}；嵌套的（如 crew[0].name）拼成一条。 */
function fieldMessages(errors) {
  const out = {}
  Object.keys(errors || {}).forEach((field) => {
    const messages = []
    collect(errors[field], messages)
    out[field] = messages.join('；')
  })
  return out
}

function collect(value, messages, prefix = '') {
  if (typeof value === 'string') messages.push(prefix + value)
  else if (Array.isArray(value)) value.forEach((item) => collect(item, messages, prefix))
  else if (value && typeof value === 'object') {
    Object.keys(value).forEach((key) => {
      const label = /^\d+$/.test(key) ? `第${Number(key) + 1}项：` : ''
      collect(value[key], messages, prefix + label)
    })
  }
}

/** bindinput="onInput" data-field="employer"：把输入写进 form.employer，并清掉该字段的错误。 */
function onInput(page, event) {
  const field = event.currentTarget.dataset.field
  page.setData({ [`form.${field}`]: event.detail.value, [`errors.${field}`]: '' })
}

/** 用户可见的错误：字段错误放到字段旁，总的说明用 toast。 */
function showError(page, err) {
  const errors = fieldMessages(err && err.errors)
  if (page) page.setData({ errors })
  wx.showToast({ title: (err && err.message) || '操作失败，请稍后再试', icon: 'none', duration: 3000 })
}

/**
 * 提交前查必填项：没填的在字段旁提示“请填写…”/“请选择…”（而不是让后端回格式错误）。
 * fields: [{name, label, value, choose}]；有缺项时返回 false 并提示。
 */
function requireFields(page, fields) {
  const errors = {}
  fields.forEach(({ name, label, value, choose }) => {
    const empty = value === undefined || value === null || (typeof value === 'string' && value.trim() === '')
    if (empty) errors[name] = `${choose ? '请选择' : '请填写'}${label}`
  })
  const names = Object.keys(errors)
  if (!names.length) return true
  page.setData({ errors })
  wx.showToast({ title: errors[names[0]], icon: 'none', duration: 3000 })
  return false
}

module.exports = { fieldMessages, onInput, showError, requireFields }
