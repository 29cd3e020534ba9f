import { expect } from "chai";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Interface } from "ethers";
import { iotDataMarketAbi, decodeContractError, errorMessages, fhevmErrorsAbi } from "@iotdm/contracts-client";
import { MARKET_LIBRARIES } from "@iotdm/contracts-client/deploy";
import { renderAbiModule, renderTypechain, TYPECHAIN_DIR } from "../../scripts/generate-abi";

describe("contracts client", () => {
  it("ships an ABI module in sync with the compiled artifacts (npm run contracts:abi regenerates it)", () => {
    const committed = readFileSync(path.join(__dirname, "..", "..", "client", "abi.ts"), "utf8");
    expect(committed).to.equal(renderAbiModule());
  });

  it("ships TypeChain's types of the market in sync with the compiled artifacts (npm run contracts:abi regenerates them)", async () => {
    for (const [file, text] of Object.entries(await renderTypechain())) {
      expect(readFileSync(path.join(TYPECHAIN_DIR, file), "utf8"), file).to.equal(text);
    }
  });

  it("has a readable sentence for every custom error of the market and the fhevm host contracts", () => {
    const iface = new Interface([...iotDataMarketAbi, ...fhevmErrorsAbi]);
    let count = 0;
    iface.forEachError((fragment) => {
      const sample = fragment.inputs.map((input) => sampleValue(input.type));
      const data = iface.encodeErrorResult(fragment, sample);
      const decoded = decodeContractError({ data });
      expect(decoded.name).to.equal(fragment.name);
      expect(Object.keys(errorMessages)).to.include(fragment.name);
      expect(decoded.message, fragment.name).to.match(/^[A-Z0-9"'`(]|^0x/);
      expect(decoded.message.endsWith("."), `${fragment.name}: ${decoded.message}`).to.equal(true);
      count++;
    });
    expect(count).to.be.greaterThan(60);
  });

  it("decodes errors nested the way ethers and JSON-RPC report them, and falls back for the unknown", () => {
    const iface = new Interface(iotDataMarketAbi);
    const data = iface.encodeErrorResult("WrongPayment", [10n, 11n]);
    expect(decodeContractError({ info: { error: { data } } })).to.deep.include({ name: "WrongPayment" });
    expect(decodeContractError({ error: { data: { data } } }).message).to.match(/0\.00000000000000001 ETH \(10 wei\) expected/);
    expect(decodeContractError({ data: "0xdeadbeef" }).name).to.equal("UnknownError");
    expect(decodeContractError(new Error("network down")).message).to.equal("network down");
  });

  it("names an error whose timestamp is beyond any date instead of failing to format it", () => {
    const iface = new Interface(iotDataMarketAbi);
    const huge = 2n ** 64n - 1n;
    const decoded = decodeContractError({ data: iface.encodeErrorResult("TimestampOutOfOrder", [huge, 5n]) });
    expect(decoded.name).to.equal("TimestampOutOfOrder");
    expect(decoded.message).to.match(/18446744073709551615 \(unix time 18446744073709551615, beyond any date\)/);
    const future = decodeContractError({ data: iface.encodeErrorResult("TimestampInFuture", [huge, 1_800_000_000n]) });
    expect(future.message).to.match(/cannot come from the future/);
  });
});

function sampleValue(type: string): unknown {
  if (type === "address") return "0x00000000000000000000000000000000000000aa";
  if (type === "bytes32") return `0x${"ab".repeat(32)}`;
  if (type === "string") return "sample";
  if (type === "bool") return true;
  return 1n;
}

describe("deployed bytecode", () => {
  it("keeps the market and its linked libraries under the EIP-170 limit of 24,576 bytes", () => {
    const libraries = MARKET_LIBRARIES.map((name) => `libraries/${name}.sol/${name}.json`);
    for (const artifact of ["IoTDataMarket.sol/IoTDataMarket.json", ...libraries]) {
      const file = path.join(__dirname, "..", "..", "..", "artifacts", "contracts", "src", artifact);
      const { deployedBytecode } = JSON.parse(readFileSync(file, "utf8")) as { deployedBytecode: string };
      expect((deployedBytecode.length - 2) / 2, artifact).to.be.below(24_576);
    }
  });
});
