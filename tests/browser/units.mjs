// The unit-code (一物一码, issue 8) part of the browser scenario: the seller applies for codes,
// opens a label sheet, downloads the code file, uploads its production and an outbound to the
// buyer; the buyer uploads its inbound with a made-up code among the scans; the regulator traces
// by one unit code and finds the made-up code among the counterfeit signals. `scene` carries the
// browser page and the scenario's helpers and parties (see scenario.mjs).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const UNIT_BATCH = 'U2026A';
/** A code the platform never issued (a valid date, enterprise 99999): a copied or made-up code. */
const BOGUS_CODE = '202612019999912345678901';

/** A SUYUAN-UNITS 1 file (README "Unit codes") of `who` with `codes`. */
function unitFile(who, type, number, counterparty, codes) {
  const head = ['SUYUAN-UNITS 1', `enterprise=${who.uscc}`, 'vendor=V0001', `type=${type}`, `number=${number}`,
    `date=${new Date().toISOString().slice(0, 10)}`];
  if (counterparty) head.push(`counterparty=${counterparty}`);
  return [...head, '# scanned in the browser test', '---', ...codes.map((c) => `${c},1支`), ''].join('\n');
}

/** The unit-code steps. */
export async function unitCodeSteps(scene) {
  const {
    page, context, step, act, shot, drawer, menu, login, logout, assert, overflowing,
    ARTIFACTS, BASE, PRODUCT, seller, buyer, regulatorLogin,
  } = scene;
  let unitCodes = [];

  await step('the seller applies for unit codes (inline errors first) and opens a QR label sheet', async () => {
    await logout();
    await login(seller.login);
    await menu('追溯码').click();
    await page.getByRole('button', { name: '申请追溯码' }).click();
    await drawer().waitFor();
    await drawer().getByRole('button', { name: '申请', exact: true }).click();
    await drawer().locator('[data-field=product_id].invalid .err').filter({ hasText: /\S/ }).waitFor();
    assert(await drawer().locator('[data-field=quantity].invalid').count() === 1, 'quantity marked');
    await drawer().getByLabel('产品').selectOption({ label: `${PRODUCT} · 50g` });
    await drawer().getByLabel('批号').fill(UNIT_BATCH);
    await drawer().getByLabel('包装层级').selectOption('unit');
    await drawer().getByLabel('申请数量').fill('30');
    await act(drawer().getByRole('button', { name: '申请', exact: true }), '已发放 30 个追溯码');
    // The label sheets open at once: 30 codes are two A4 pages of 24.
    const sheet = drawer().locator('img.label-sheet');
    await page.waitForFunction(() => { const i = document.querySelector('img.label-sheet'); return i && i.complete && i.naturalWidth > 0; });
    assert(await drawer().getByLabel('标签页').locator('option').count() === 2, 'two label pages');
    await drawer().getByLabel('标签页').selectOption('2');
    await page.waitForFunction(() => { const i = document.querySelector('img.label-sheet'); return i.src.endsWith('page=2') && i.complete && i.naturalWidth > 0; });
    assert((await sheet.getAttribute('src')).includes('/labels.svg?page=2'), 'page 2 shown');
    await shot('20-unit-labels');
    const [tab] = await Promise.all([context.waitForEvent('page'), drawer().getByRole('link', { name: '在新标签页打开（打印）' }).click()]);
    await tab.waitForLoadState();
    const svg = await tab.evaluate(() => document.documentElement.outerHTML);
    assert(tab.url().includes('labels.svg?page=2') && svg.includes('<svg'), `label sheet tab ${tab.url()}`);
    await tab.close();
    await drawer().getByRole('button', { name: '关闭' }).first().click();
    // The code file, downloaded as a user would.
    const row = page.locator('table.list tbody tr', { hasText: UNIT_BATCH });
    await row.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: '下载追溯码（CSV）' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8').trim().split('\n');
    assert(csv[0] === 'code,level,batch', `CSV header ${csv[0]}`);
    unitCodes = csv.slice(1).map((l) => l.split(',')[0]);
    assert(unitCodes.length === 30 && unitCodes.every((c) => /^\d{24}$/.test(c)), `${unitCodes.length} codes`);
    await shot('21-unit-applications');
  });

  await step('the seller uploads its production (a file) and an outbound to the buyer (pasted), then packs and unpacks a box (errors inline first)', async () => {
    await page.getByRole('tab', { name: '上传扫码文件' }).click();
    const inbound = join(ARTIFACTS, 'unit-inbound.txt');
    writeFileSync(inbound, unitFile(seller, 'inbound', 'RK-U1', null, unitCodes));
    await page.getByLabel('扫码文件').setInputFiles(inbound);
    await act(page.getByRole('button', { name: '上传并核验' }), '扫码文件已核验');
    await page.locator('.upload-result', { hasText: '单据 RK-U1：通过 30 行，未通过 0 行' }).waitFor();
    await page.locator('.upload-result', { hasText: '已生成并提交批次单据 RK-U1' }).waitFor();
    assert(await page.locator('table.audit tbody tr').count() === 30, 'a verdict a line');

    const outbound = unitFile(seller, 'outbound', 'CK-U1', buyer.uscc, unitCodes.slice(0, 20));
    await page.getByLabel('扫码文件').setInputFiles([]);
    await page.getByLabel('或粘贴文件内容').fill(outbound);
    await act(page.getByRole('button', { name: '上传并核验' }), '扫码文件已核验');
    await page.locator('.upload-result', { hasText: '单据 CK-U1：通过 20 行' }).waitFor();
    await shot('22-unit-upload');
    // The same file again is answered with its first audit and changes nothing.
    await act(page.getByRole('button', { name: '上传并核验' }), '扫码文件已核验');
    await page.locator('.upload-result', { hasText: '该文件已上传过' }).waitFor();
    // A bad header refuses the whole file with its reasons.
    await page.getByLabel('或粘贴文件内容').fill('SUYUAN-UNITS 1\ntype=sideways\n---\n');
    await page.getByRole('button', { name: '上传并核验' }).click();
    await page.locator('.form-errors li').first().waitFor();

    // Units cannot go into a unit: every child's problem is listed under the field.
    await page.getByRole('tab', { name: '装箱/拆包' }).click();
    const pack = page.locator('form', { hasText: '装箱关联' });
    await pack.getByLabel('外包装追溯码（盒码或箱码）').fill(unitCodes[25]);
    await pack.getByLabel('装入的追溯码').fill(`${unitCodes[26]}\n${unitCodes[27]}\n`);
    await pack.getByRole('button', { name: '装箱', exact: true }).click();
    const problems = pack.locator('[data-field=children] .problem-list li');
    await problems.nth(1).waitFor();
    assert(await problems.count() === 2, 'one problem a child');
    assert((await problems.first().textContent()).startsWith(`第 1 行 ${unitCodes[26]}`), await problems.first().textContent());
    await shot('23-unit-pack-errors');

    // A box code, taken into stock empty, takes two units, shows them, and gives them back.
    await page.getByRole('tab', { name: '申请记录' }).click();
    await page.getByRole('button', { name: '申请追溯码' }).click();
    await drawer().getByLabel('产品').selectOption({ label: `${PRODUCT} · 50g` });
    await drawer().getByLabel('批号').fill(UNIT_BATCH);
    await drawer().getByLabel('包装层级').selectOption('box');
    await drawer().getByLabel('申请数量').fill('1');
    await act(drawer().getByRole('button', { name: '申请', exact: true }), '已发放 1 个追溯码');
    await drawer().getByRole('button', { name: '关闭' }).first().click();
    const boxRow = page.locator('table.list tbody tr', { hasText: '盒' });
    const [boxFile] = await Promise.all([page.waitForEvent('download'), boxRow.getByRole('link', { name: '下载追溯码（CSV）' }).click()]);
    const box = readFileSync(await boxFile.path(), 'utf8').trim().split('\n')[1].split(',')[0];
    await page.getByRole('tab', { name: '上传扫码文件' }).click();
    await page.getByLabel('或粘贴文件内容').fill(unitFile(seller, 'inbound', 'RK-BOX1', null, [box]));
    await act(page.getByRole('button', { name: '上传并核验' }), '扫码文件已核验');
    await page.locator('.upload-result', { hasText: '通过 1 行，未通过 0 行' }).waitFor();
    await page.getByRole('tab', { name: '装箱/拆包' }).click();
    const packBox = page.locator('form', { hasText: '装箱关联' });
    await packBox.getByLabel('外包装追溯码（盒码或箱码）').fill(box);
    await packBox.getByLabel('装入的追溯码').fill(`${unitCodes[26]}\n${unitCodes[27]}`);
    await act(packBox.getByRole('button', { name: '装箱', exact: true }), `已将 2 个追溯码装入 ${box}`);
    await page.getByRole('tab', { name: '追溯码查询' }).click();
    await page.locator('.lookup-form [name=code]').fill(box);
    await page.getByRole('button', { name: '查询', exact: true }).click();
    await page.locator('.unit-card h3', { hasText: '直接装入的追溯码（2 个）' }).waitFor();
    assert((await page.locator('.unit-card .code-list').textContent()).includes(unitCodes[26]), 'the unit is in the box');
    await page.getByRole('tab', { name: '装箱/拆包' }).click();
    const unpack = page.locator('form', { hasText: '拆包' }).filter({ hasNotText: '装箱关联' });
    await unpack.getByLabel('外包装追溯码（盒码或箱码）').fill(box);
    await unpack.getByRole('button', { name: '拆包', exact: true }).click();
    await unpack.locator('.ok-text', { hasText: '已拆包，取出 2 个追溯码' }).waitFor();

    await page.getByRole('tab', { name: '追溯码查询' }).click();
    await page.locator('.lookup-form [name=code]').fill(unitCodes[0]);
    await page.getByRole('button', { name: '查询', exact: true }).click();
    const card = page.locator('.unit-card');
    await card.waitFor();
    assert((await card.locator('dl').textContent()).includes('在途'), 'shipped, not yet received');
    const events = await card.locator('.timeline li').allTextContents();
    assert(events.length === 3 && events[0].includes('发放') && events[2].includes('出库'), `history ${events.join(' | ')}`);
    await shot('24-unit-lookup');
    await logout();
  });

  await step('the buyer uploads its inbound; a bogus code among the scans is refused as suspicious', async () => {
    await login(buyer.login);
    await menu('追溯码').click();
    await page.getByRole('tab', { name: '上传扫码文件' }).click();
    await page.getByLabel('或粘贴文件内容').fill(unitFile(buyer, 'inbound', 'RK-B1', seller.uscc, [...unitCodes.slice(0, 20), BOGUS_CODE]));
    await act(page.getByRole('button', { name: '上传并核验' }), '扫码文件已核验');
    await page.locator('.upload-result', { hasText: '通过 20 行，未通过 1 行' }).waitFor();
    const bogus = page.locator('table.audit tbody tr', { hasText: BOGUS_CODE });
    assert((await bogus.textContent()).includes('平台未发放该追溯码'), 'the reason');
    assert((await bogus.textContent()).includes('疑似假码'), 'flagged suspicious');
    await page.locator('.upload-result', { hasText: '批次单据 RK-B1' }).waitFor();
    await shot('25-unit-buyer-upload');
    // The upload booked the purchase inbound: the seller's 勾兑 item is no longer pending.
    await menu('采购/销售退入勾兑').click();
    await page.locator('td.empty', { hasText: '没有待勾兑的单据' }).waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${BASE}/#/unit-codes?tab=lookup&code=${unitCodes[0]}`);
    await page.locator('.unit-card .timeline li').nth(3).waitFor();
    assert(await overflowing() <= 1, `unit codes page wider than the phone by ${await overflowing()}px`);
    await shot('26-phone-unit-lookup');
    await page.setViewportSize({ width: 1366, height: 768 });
    await logout();
  });

  await step('the regulator traces by one unit code and sees its history; the bogus code is a counterfeit signal', async () => {
    await login(regulatorLogin);
    await menu('批次追溯').click();
    await page.getByLabel('查询方式').selectOption('serial');
    assert(await page.locator('.trace-form [name=batch]').isHidden(), 'no batch asked for a unit code');
    await page.getByLabel('24 位追溯码').fill(unitCodes[0]);
    await page.getByRole('button', { name: '追溯', exact: true }).click();
    const card = page.locator('.trace-result .unit-card');
    await card.waitFor();
    const events = await card.locator('.timeline li').allTextContents();
    assert(events.length === 4 && events[3].includes(buyer.name) && events[3].includes('入库'), `history ${events.join(' | ')}`);
    await page.locator('.trace-head h2', { hasText: UNIT_BATCH }).waitFor();
    assert(await page.locator('svg.trace-graph g.node').count() === 2, 'the batch flow: both holders');
    const buyerRow = await page.locator('table.holders tbody tr', { hasText: buyer.name }).textContent();
    assert(buyerRow.endsWith('20'), `buyer holds 20: ${buyerRow}`);
    await shot('27-trace-unit');

    await menu('可疑追溯码').click();
    const row = page.locator('table.list tbody tr', { hasText: BOGUS_CODE });
    await row.waitFor();
    assert((await row.textContent()).includes(buyer.name), 'raised by the buyer');
    assert((await row.textContent()).includes('平台未发放该追溯码'), 'never issued');
    await row.getByRole('button', { name: '查看' }).click();
    await drawer().locator('.error-text', { hasText: '平台未发放该追溯码' }).waitFor();
    await shot('28-unit-signals');
    await drawer().getByRole('button', { name: '关闭' }).first().click();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${BASE}/#/unit-signals`);
    await page.locator('table.list tbody tr').first().waitFor();
    assert(await overflowing() <= 1, `signals page wider than the phone by ${await overflowing()}px`);
    await shot('29-phone-unit-signals');
    await page.setViewportSize({ width: 1366, height: 768 });
  });
}
