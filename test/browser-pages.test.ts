import t from 'tap';
import { axeCheck, startBrowser, validateHtml } from './browser-harness.js';

t.test('harness smoke', async (t) => {
  const h = await startBrowser(t, { seed: true });
  const page = await h.newPage();
  const res = await page.goto(`${h.baseUrl}/`);
  t.equal(res?.status(), 200);
  t.same(await axeCheck(page), []);
  t.same(await validateHtml(await res!.text()), []);
});
