/** 法律援助预约页：选中心、选时段、预约（逻辑在 page.js）。 */
Component(require('./page'))
