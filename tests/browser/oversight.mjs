// The risk-warning and field-inspection (issue 5) part of the browser scenario: the regulator
// opens the open warnings from the dashboard, filters, acknowledges one, reads its evidence,
// exports and recomputes; enters an inspection of the buyer at the desk, which the buyer reads.
// `scene` carries the browser page and the scenario's helpers and parties (see scenario.mjs).
import { readFileSync } from 'node:fs';

/** The warning and inspection steps. */
export async function oversightSteps(scene) {
  const {
    page, step, act, shot, drawer, menu, login, logout, assert, env, overflowing, BASE, BATCH, buyer,
  } = scene;
  /** The drawer's inspection photo has loaded (uploaded on save, read back through the route
   *  of whoever is looking). */
  const photoShown = () => page.waitForFunction(() => {
    const img = document.querySelector('aside.drawer .photos img');
    return img && img.complete && img.naturalWidth > 0;
  });

  await step('the regulator reviews risk warnings: filters, evidence, acknowledge, export, recompute', async () => {
    await menu('监管首页').click();
    const open = page.locator('a.figure', { hasText: '未处理预警' });
    await open.waitFor();
    const count = Number(await open.locator('.figure-value').textContent());
    assert(count > 0, `open warnings on the dashboard: ${count}`);
    await open.click();
    await page.locator('main h1', { hasText: '风险预警' }).waitFor();
    assert(await page.getByLabel('状态').inputValue() === 'open', 'the dashboard opens the open warnings');
    await page.locator('.pager', { hasText: `共 ${count} 条` }).waitFor();
    await page.getByLabel('预警类型').selectOption('recalled_batch_held');
    await page.getByLabel('企业', { exact: true }).selectOption({ label: buyer.name });
    await page.getByRole('button', { name: '查询', exact: true }).click();
    const row = page.locator('table.list tbody tr', { hasText: buyer.name }).filter({ hasText: '持有召回批次' });
    await page.locator('.pager', { hasText: '共 1 条' }).waitFor();
    await row.waitFor();
    assert((await row.textContent()).includes('未处理'), 'new');
    await act(row.getByRole('button', { name: '确认', exact: true }), '预警已确认');
    await row.filter({ hasText: '已确认' }).waitFor();
    await row.getByRole('button', { name: '查看' }).click();
    await drawer().locator('h3', { hasText: '相关单据' }).waitFor();
    assert(await drawer().getByRole('button', { name: '确认', exact: true }).count() === 0, 'nothing left to acknowledge');
    await shot('30-warning-detail');
    await drawer().getByRole('button', { name: '关闭' }).first().click();
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '导出' }).click()]);
    assert(file.suggestedFilename() === 'warnings.xlsx', file.suggestedFilename());
    assert(readFileSync(await file.path()).subarray(0, 2).toString() === 'PK', 'an xlsx file');
    await act(page.getByRole('button', { name: '重新计算' }), '已重新计算');
    await shot('31-warnings');
  });

  await step('the regulator enters an inspection at the desk (inline errors first); the buyer reads it', async () => {
    await menu('现场检查').click();
    await page.getByRole('button', { name: '补录检查记录' }).click();
    await drawer().getByLabel('被检查单位').selectOption({ label: buyer.name });
    await drawer().getByRole('button', { name: '保存检查记录' }).click();
    await drawer().locator('[data-field=findings].invalid .err').filter({ hasText: /\S/ }).waitFor();
    await drawer().getByLabel('检查人员').fill('王检查\n李检查');
    await drawer().getByLabel('检查情况').fill('货架上召回批次仍在销售，已要求下架封存');
    await drawer().getByRole('button', { name: '添加产品' }).click();
    await drawer().getByLabel('第 1 行 扫描码').fill(env('BARCODE_TEXT'));
    await drawer().getByLabel('第 1 行 批号').fill(BATCH);
    await drawer().getByLabel('第 1 行 检查项').selectOption('recall');
    await drawer().getByLabel('第 1 行 结果').selectOption('fail');
    await drawer().getByLabel('第 1 行 备注').fill('已下架');
    await drawer().getByLabel('现场照片').setInputFiles(env('BARCODE_PHOTO'));
    await shot('32-inspection-entry');
    await act(drawer().getByRole('button', { name: '保存检查记录' }), '检查记录已保存');
    const row = page.locator('table.list tbody tr', { hasText: buyer.name });
    await row.filter({ hasText: '不合格' }).waitFor();
    await row.getByRole('button', { name: '查看' }).click();
    await drawer().locator('table.list tbody tr', { hasText: BATCH }).filter({ hasText: '召回：不合格' }).waitFor();
    await photoShown();
    await shot('33-inspection');
    await drawer().getByRole('button', { name: '关闭' }).first().click();
    await page.setViewportSize({ width: 390, height: 844 });
    for (const route of ['warnings', 'reg-inspections']) {
      await page.goto(`${BASE}/#/${route}`);
      await page.locator('table.list tbody tr').first().waitFor();
      assert(await overflowing() <= 1, `${route} is wider than the phone by ${await overflowing()}px`);
      await shot(`34-phone-${route}`);
    }
    await page.setViewportSize({ width: 1366, height: 768 });
    await logout();
    await login(buyer.login);
    await menu('监督检查记录').click();
    const mine = page.locator('table.list tbody tr', { hasText: '不合格' });
    await mine.getByRole('button', { name: '查看' }).click();
    await drawer().locator('.findings', { hasText: '召回批次仍在销售' }).waitFor();
    await photoShown();
    await shot('35-my-inspection');
    await drawer().getByRole('button', { name: '关闭' }).first().click();
    await page.setViewportSize({ width: 390, height: 844 });
    for (const route of ['inspections', 'unit-codes']) {
      await page.goto(`${BASE}/#/${route}`);
      await page.locator('table.list tbody tr').first().waitFor();
      assert(await overflowing() <= 1, `${route} is wider than the phone by ${await overflowing()}px`);
      await shot(`36-phone-${route}`);
    }
    await page.setViewportSize({ width: 1366, height: 768 });
  });
}
