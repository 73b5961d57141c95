/** A document whose events have effects on the world: a Basic HTTP POST (go) and a <ws:response> (ask). */
import assert from 'node:assert/strict';

export const EFFECTS = `<scxml xmlns="http://www.w3.org/2005/07/scxml" xmlns:ws="http://www.genesyslab.com/modules/ws"
    version="1.0" datamodel="ecmascript" initial="on" name="effects">
  <datamodel><data id="hook" expr="''"/><data id="count" expr="0"/></datamodel>
  <state id="on">
    <transition event="go"><assign location="count" expr="count + 1"/>
      <send type="basichttp" targetexpr="hook" event="hit"/></transition>
    <transition event="ask"><assign location="count" expr="count + 1"/>
      <ws:response requestid="_event.sendid" resultcode="OK"/></transition>
  </state>
</scxml>`;

/** Waits until the web service has seen `n` requests. */
export async function hits(seen: readonly string[], n: number): Promise<void> {
  for (let i = 0; i < 200 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(seen.length, n);
}
