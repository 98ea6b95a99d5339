/** GB 11643 身份证号（测试数据用）：地区码 + 出生日期 + 顺序码（奇数男、偶数女）+ 校验位。 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const CHECK = '10X98765432'

function checkChar(first17) {
  const sum = first17.split('').reduce((acc, digit, i) => acc + Number(digit) * WEIGHTS[i], 0)
  return CHECK[sum % 11]
}

function makeIdNumber({ region = '141002', born = '1990-03-07', sequence = 1, gender = 'male' }) {
  const seq = ((sequence % 500) * 2 + (gender === 'male' ? 1 : 0)).toString().padStart(3, '0')
  const first17 = `${region}${born.replace(/-/g, '')}${seq}`
  return first17 + checkChar(first17)
}

module.exports = { makeIdNumber, checkChar }
