import { describe, expect, it } from "vitest";
import { DEMO_ROLES } from "../../../demo/accounts";
import { DEFAULT_DEV_INDEX, DEMO_ACCOUNT_ROLES, demoSellerName, devAccountOption } from "./demo-roles";
import { devAccount } from "./dev-accounts";

describe("demo roles of the development accounts", () => {
  it("are the roles npm start's demo gives the accounts", () => {
    const byIndex = new Map(DEMO_ACCOUNT_ROLES.map((r) => [r.index, r]));
    expect(byIndex.get(DEMO_ROLES.relayer.index)?.relayer).toBe(true);
    for (const seller of DEMO_ROLES.sellers) expect(seller.label).toBe(byIndex.get(seller.index)?.label);
    for (const buyer of DEMO_ROLES.buyers) expect(buyer.label.startsWith(byIndex.get(buyer.index)!.label)).toBe(true);
  });

  it("offers the demo buyer first, never the relayer", () => {
    expect(DEFAULT_DEV_INDEX).toBe(DEMO_ROLES.buyers[0].index);
    expect(DEMO_ACCOUNT_ROLES.find((r) => r.index === DEFAULT_DEV_INDEX)?.relayer).toBeUndefined();
  });

  it("labels each account by role with its whole address", () => {
    expect(devAccountOption({ index: 4, address: devAccount(4).address })).toBe("#4 demo buyer · 0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65");
    expect(devAccountOption({ index: 7, address: "0xabc" })).toBe("#7 · 0xabc");
  });

  it("names the demo sellers", () => {
    expect(demoSellerName(devAccount(2).address.toLowerCase())).toBe("GreenLeaf Farms");
    expect(demoSellerName(devAccount(3).address)).toBe("Harbour Offices");
    expect(demoSellerName(devAccount(4).address)).toBeUndefined();
  });
});
