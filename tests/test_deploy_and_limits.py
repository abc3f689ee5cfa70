"""The constructor's fee rules, the fee views, and the contract's hard limits."""

import pytest
from eth_utils import keccak

from bountychain import ETH, BountyClient, InvalidAddress, InvalidAmount, RejectedInput
from bountychain._artifacts import load_artifact
from bountychain import send_transaction
from bountychain.devchain import AnvilNode
from tests.conftest import FEE_BPS, ISSUE, PR


def _raw_deploy(world, fee_recipient, fee_bps):
    artifact = load_artifact("BountyEscrow")
    factory = world.chain.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    return send_transaction(world.chain.w3, world.outsider, factory.constructor(fee_recipient, fee_bps))


def test_fee_views_report_the_constructor_arguments(world):
    assert world.escrow.fee() == (world.treasury.address, FEE_BPS)


@pytest.mark.parametrize("fee_bps", [0, 1, 500])
def test_constructor_accepts_fees_up_to_five_percent(world, fee_bps):
    receipt = _raw_deploy(world, world.treasury.address, fee_bps)
    client = BountyClient(world.chain.w3, receipt["contractAddress"])
    assert client.fee() == (world.treasury.address, fee_bps)


def test_constructor_refuses_a_fee_above_the_cap(world):
    with pytest.raises(RejectedInput) as refused:
        _raw_deploy(world, world.treasury.address, 501)
    assert refused.value.error_name == "FeeTooHigh"
    assert refused.value.args_by_name == {"feeBps": 501, "maxFeeBps": 500}


def test_constructor_refuses_a_fee_without_recipient(world):
    with pytest.raises(RejectedInput) as refused:
        _raw_deploy(world, ETH, 100)
    assert refused.value.error_name == "FeeRecipientMissing"


def test_sdk_deploy_checks_fee_arguments_before_sending(world):
    nonce = world.nonce(world.outsider)
    with pytest.raises(InvalidAmount):
        BountyClient.deploy(world.chain, world.outsider, fee_recipient=world.treasury.address, fee_bps=501)
    with pytest.raises(InvalidAddress):
        BountyClient.deploy(world.chain, world.outsider, fee_bps=100)
    assert world.nonce(world.outsider) == nonce


def test_without_a_fee_the_winner_gets_the_whole_pool(world):
    client = BountyClient.deploy(world.chain, world.issuer)
    bounty_id = client.create_bounty(ISSUE, world.chain.now() + 86_400).bounty_id
    client.as_signer(world.funders[0]).pledge(bounty_id, 10**18)
    claim = client.as_signer(world.hunters[0]).submit_solution(bounty_id, PR).claim_id
    before = world.balance(world.hunters[0])
    result = client.award(bounty_id, {claim: 10_000})
    assert result.fee == 0 and world.balance(world.hunters[0]) == before + 10**18


def test_a_pledge_that_would_overflow_its_216_bit_slot_reverts(world):
    token = world.tokens["standard"]
    whale = world.funders[0]
    world.send(world.issuer, token.functions.mint(whale.address, 2**216))
    bounty_id = world.new_bounty("standard")
    world.send(whale, token.functions.approve(world.escrow.address, 2**216))
    deadline = world.escrow.bounty(bounty_id).deadline
    with pytest.raises(RejectedInput) as refused:
        world.send(whale, world.escrow.contract.functions.pledge(bounty_id, 2**216, deadline))
    assert refused.value.error_name == "SafeCastOverflowedUintDowncast"
    assert refused.value.args_by_name["bits"] == 216


def test_a_bounty_holds_at_most_2_pow_40_minus_1_claims(world):
    """Sets the claim counter near its limit in storage (anvil only) and submits."""
    if not isinstance(world.chain, AnvilNode):
        pytest.skip("needs anvil_setStorageAt")
    bounty_id = world.new_bounty()
    # _bountyCount is slot 0 and _bounties slot 1 (no base contract has storage); a bounty's
    # first slot packs issuer (160) | deadline (40) | status (8) | flags (8) | claimCount (40).
    slot = int.from_bytes(keccak(bounty_id.to_bytes(32, "big") + (1).to_bytes(32, "big")), "big")
    w3 = world.chain.w3
    packed = int.from_bytes(w3.eth.get_storage_at(world.escrow.address, slot), "big")
    assert packed & ((1 << 160) - 1) == int(world.escrow.bounty(bounty_id).issuer, 16), "storage layout moved"
    full = (packed & ((1 << 216) - 1)) | ((2**40 - 2) << 216)
    world.chain._rpc("anvil_setStorageAt", [world.escrow.address, hex(slot), "0x" + full.to_bytes(32, "big").hex()])
    assert world.escrow.bounty(bounty_id).claim_count == 2**40 - 2
    assert world.as_(world.hunters[0]).submit_solution(bounty_id, PR).claim_id == 2**40 - 1
    with pytest.raises(RejectedInput) as refused:
        world.send(world.hunters[1], world.escrow.contract.functions.submitSolution(bounty_id, PR))
    assert refused.value.error_name == "TooManyClaims"


EIP170_LIMIT = 24_576  # bytes of runtime code a deployed contract may have
HEADROOM = 4_096  # room kept for fixes and features: 4 KiB under the limit


def test_every_deployed_contract_keeps_4_kib_under_the_contract_size_limit(world):
    """EIP-170: a deployed contract's code is at most 24,576 bytes. The escrow and the review
    contract (which the escrow's constructor deploys) are measured as deployed, on the chain,
    and each must keep 4 KiB of headroom, so that both stay deployable on every chain as fixes
    and features are added."""
    deployed = {"BountyEscrow": world.escrow.address, "BountyReview": world.escrow.review_contract.address}
    sizes = {name: len(world.chain.w3.eth.get_code(address)) for name, address in deployed.items()}
    assert all(size > 0 for size in sizes.values()), sizes
    short = {name: EIP170_LIMIT - size for name, size in sizes.items() if EIP170_LIMIT - size < HEADROOM}
    assert not short, f"headroom under EIP-170 below {HEADROOM:,} bytes: {short}"


@pytest.mark.parametrize("name", ["BountyEscrow", "BountyReview"])
def test_the_shipped_artifacts_are_what_is_deployed(world, name):
    """The artifacts' runtime code has the deployed length (immutables are filled in place)."""
    runtime = bytes.fromhex(load_artifact(name).deployed_bytecode.removeprefix("0x"))
    address = world.escrow.address if name == "BountyEscrow" else world.escrow.review_contract.address
    assert len(runtime) == len(world.chain.w3.eth.get_code(address))
    assert EIP170_LIMIT - len(runtime) >= HEADROOM
