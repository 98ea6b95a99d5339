/** 我的法律咨询预约（订阅消息和站内消息打开这里；逻辑在 page.js）。 */
Component(require('./page'))
