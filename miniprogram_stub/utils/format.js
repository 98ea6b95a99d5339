/**
 * 显示用的格式：后端的时间已是北京时间（"2026-12-01T09:00:00+08:00"），只取日期和时分。
 */
const DAY = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/

function when(iso) {
  const m = DAY.exec(iso || '')
  return m ? `${m[1]} ${m[2]}` : iso
}

module.exports = { when }
