"""The constructor's fee rules, the fee views, and the contract's hard limits."""

import pytest
from eth_utils import keccak

from bountychain import ETH, BountyClient, InvalidAddress, InvalidAmount, RejectedInput
from bountychain._artifacts import load_artifact
from bountychain import send_transaction
from bountychain.devchain import AnvilNode
from tests.conftest import FEE_BPS, PR


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
    bounty_id = client.create_bounty(PR, world.chain.now() + 86_400).bounty_id
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
    with pytest.raises(RejectedInput) as refused:
        world.send(whale, world.escrow.contract.functions.pledge(bounty_id, 2**216))
    assert refused.value.error_name == "SafeCastOverflowedUintDowncast"
    assert refused.value.args_by_name["bits"] == 216


def test_a_bounty_holds_at_most_2_pow_40_minus_1_claims(world):
    """Sets the claim counter near its limit in storage (anvil only) and submits."""
    if not isinstance(world.chain, AnvilNode):
        pytest.skip("needs anvil_setStorageAt")
    bounty_id = world.new_bounty()
    # Nonces' _nonces is slot 0 (a base contract's storage comes first), _bountyCount slot 1,
    # _bounties slot 2; the claim count is the top 40 bits of a bounty's first slot.
    slot = int.from_bytes(keccak(bounty_id.to_bytes(32, "big") + (2).to_bytes(32, "big")), "big")
    w3 = world.chain.w3
    packed = int.from_bytes(w3.eth.get_storage_at(world.escrow.address, slot), "big")
    full = (packed & ((1 << 216) - 1)) | ((2**40 - 2) << 216)
    world.chain._rpc("anvil_setStorageAt", [world.escrow.address, hex(slot), "0x" + full.to_bytes(32, "big").hex()])
    assert world.escrow.bounty(bounty_id).claim_count == 2**40 - 2
    assert world.as_(world.hunters[0]).submit_solution(bounty_id, PR).claim_id == 2**40 - 1
    with pytest.raises(RejectedInput) as refused:
        world.send(world.hunters[1], world.escrow.contract.functions.submitSolution(bounty_id, PR))
    assert refused.value.error_name == "TooManyClaims"


def test_the_escrow_fits_the_contract_size_limit():
    """EIP-170: a deployed contract's code is at most 24,576 bytes; the escrow must stay
    deployable on every chain as features are added."""
    runtime = bytes.fromhex(load_artifact("BountyEscrow").deployed_bytecode.removeprefix("0x"))
    assert 0 < len(runtime) <= 24_576
