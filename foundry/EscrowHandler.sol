// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {BountyEscrow} from "../contracts/BountyEscrow.sol";
import {BountyReview} from "../contracts/BountyReview.sol";
import {IBountyEscrow} from "../contracts/interfaces/IBountyEscrow.sol";
import {IBountyReview} from "../contracts/interfaces/IBountyReview.sol";
import {CappedTransferToken} from "../contracts/test/CappedTransferToken.sol";
import {FeeOnTransferToken} from "../contracts/test/FeeOnTransferToken.sol";
import {HostileReceiver} from "../contracts/test/HostileReceiver.sol";
import {MockArbitrator} from "../contracts/test/MockArbitrator.sol";
import {NoReturnToken} from "../contracts/test/NoReturnToken.sol";
import {ReentrantToken} from "../contracts/test/ReentrantToken.sol";
import {TestPermitToken} from "../contracts/tokens/TestPermitToken.sol";
import {TestToken} from "../contracts/tokens/TestToken.sol";
import {vm} from "./Vm.sol";

/// @notice Drives BountyEscrow and BountyReview for forge's invariant campaigns: every
/// state-changing function of both, by funders (a crowd that grows without bound among them),
/// hunters (one of them a contract that refuses ETH), issuers, an approver colluding with a
/// funder, a plain arbiter and an ERC-792 court, in six currencies, with time moving. It keeps
/// ghost books of what the escrow owes, computed from what each call moved and never from the
/// escrow's own bookkeeping, and counts every broken promise it sees on the way; the
/// invariants in EscrowInvariants.t.sol read both.
contract EscrowHandler {
    /*//////////////////////////////////////////////////////////////
                                 WORLD
    //////////////////////////////////////////////////////////////*/

    uint256 public constant FEE_BPS = 250;
    uint256 public constant BPS = 10_000;
    uint256 public constant MAX_BOUNTIES = 32;
    uint256 public constant ARBITRATION_FEE = 0.01 ether;
    /// @dev CappedTransferToken refuses any single transfer above this.
    uint256 public constant TRANSFER_CAP = type(uint96).max;
    uint256 public constant CURRENCIES = 7;
    /// @dev Currency indexes: 0 ETH, 1 standard, 2 fee on transfer, 3 USDT-style (no return
    /// value), 4 capped per transfer, 5 hook token that re-enters, 6 EIP-2612 permit token.
    uint256 private constant FOT = 2;
    uint256 private constant CAPPED = 4;
    uint256 private constant HOOKED = 5;
    uint256 private constant PERMIT = 6;

    BountyEscrow public immutable escrow;
    BountyReview public immutable review;
    MockArbitrator public immutable court;
    ReentrantToken public immutable hookToken;
    TestPermitToken public immutable permitToken;
    HostileReceiver public immutable refuser;
    address public immutable feeRecipient = address(0xFEE);
    address public immutable approver;
    address public immutable arbiter = address(0xA7B1);
    /// @dev Where refunds and withdrawals to a named recipient go; its balances check delivery.
    address public immutable sink = address(0x5111C);

    address[CURRENCIES] public currencies;
    uint256[] private _keys;
    address[] public actors; // keyed: funders and hunters; actors[0] colludes with the approver
    address[] public issuers;
    /// @dev Every account that can hold a credit (hunters, beneficiaries, the refuser).
    address[] public creditors;

    /*//////////////////////////////////////////////////////////////
                              GHOST BOOKS
    //////////////////////////////////////////////////////////////*/

    enum Kind {
        Plain,
        ReviewedNoArbiter,
        ReviewedPlainArbiter,
        ReviewedCourt,
        Fundraiser,
        AllOrNothing
    }

    struct Ghost {
        Kind kind;
        uint8 currency;
        uint64 deadline;
        uint256 goal;
        uint256 total; // outstanding pledges by the ghost's count
        uint64 proposedAt;
        bool upheld;
        bool awardedByReview;
        uint256 supply; // shares of the pool outstanding, by the ghost's count
        uint256 bond; // the bond each claim posts (0: none)
        bool partlyAwarded; // a partial award took part of the pool: a share is worth less than a unit
        uint256 slashed; // bonds slashed on the bounty
        uint256 slashPaid; // credited to its funders out of them
        uint256 slashDustBound; // a wei per funder and mark: what rounding may leave unpaid
    }

    struct PledgeRecord {
        uint256 bountyId;
        address funder;
        uint256 amount;
        uint64 unlocksAt;
        bool withheldFromAward; // an award left it out: refundable at once
        uint256 shares; // its shares of the pool (`amount` is what they are worth)
    }

    /// @dev A claim on a bonded bounty and the bond it still holds by the ghost's count.
    struct BondRecord {
        uint256 bountyId;
        uint256 claimId;
        address hunter;
        uint256 amount;
    }

    BondRecord[] public bonds;
    /// @dev Per currency: bonds posted, returned to hunters, slashed, and credited to funders
    /// out of the slashed ones.
    uint256[CURRENCIES] public bondsIn;
    uint256[CURRENCIES] public bondsReturned;
    uint256[CURRENCIES] public bondsSlashed;
    uint256[CURRENCIES] public slashCredited;
    /// @dev Promise 10, broken: a slashed bond credited to the approver or the issuer; a bond
    /// that left while its bounty was open; a partial award that took another amount than
    /// floor(pool x part); a pledge not worth its pro-rata part of the pool.
    uint256 public slashReachedJudge;
    uint256 public bondLeftEarly;
    uint256 public partialAwardMisrounded;
    uint256 public proRataDrift;

    uint256[] public bountyIds;
    mapping(uint256 bountyId => Ghost) internal ghosts;
    mapping(uint256 bountyId => uint256[]) private _proposedClaims;
    mapping(uint256 bountyId => uint256[]) private _proposedShares;
    mapping(uint256 bountyId => address[]) private _objectors;
    mapping(uint256 bountyId => uint256) public funderCount;

    PledgeRecord[] public pledges;
    mapping(uint256 bountyId => mapping(address funder => uint256 indexPlusOne)) private _pledgeIndex;
    /// @dev Each bounty's pledges (indexes into `pledges`): what revaluing a pool or summing a
    /// bounty's slashed-bond debts walks, instead of every pledge of the run.
    mapping(uint256 bountyId => uint256[]) private _pledgesOf;

    /// @dev Per currency: what came in, what left and where it went.
    uint256[CURRENCIES] public received;
    uint256[CURRENCIES] public refunded;
    uint256[CURRENCIES] public pools;
    uint256[CURRENCIES] public fees;
    uint256[CURRENCIES] public expectedFees;
    uint256[CURRENCIES] public pushed;
    uint256[CURRENCIES] public credited;
    uint256[CURRENCIES] public withdrawn;
    uint256[CURRENCIES] public feesWithdrawn;

    /// @dev Broken promises seen by the handler (each must stay 0).
    uint256 public objectorPaidWithoutRuling;
    uint256 public refundBeforeUnlock;
    uint256 public lockAboveSignedMax;
    uint256 public wrongDelivery;
    uint256 public reentryLanded;
    uint256 public hookCallsSeen;
    uint256 public gasCeilingBreaches;
    bytes32 public lastBreach;
    uint256 public lastBreachGas;

    /// @dev Gas: the most each function cost, against a ceiling that does not depend on funders.
    mapping(bytes32 fn => uint256) public maxGas;
    uint256 public maxFundersOnOneBounty;
    uint256 public calls;
    mapping(bytes32 fn => uint256) public successes;
    /// @dev Rotates the pledges each invariant check probes.
    /// @dev Every (account, currency) that was ever credited: the only credits there can be
    /// (the invariants also check their sum against the ghost's credited - withdrawn).
    address[] public creditAccounts;
    uint8[] public creditCurrencies;
    mapping(address account => mapping(uint256 currency => bool)) private _everCredited;
    uint256 private _hooksAtGasStart;
    /// @dev Gas allowed per call of the hook token's hook (it stores the call's result).
    uint256 private constant HOOK_GAS = 120_000;

    error ProbeSucceeded();

    /// @notice The ghost books, per currency, in one call.
    struct GhostBooks {
        uint256[CURRENCIES] received;
        uint256[CURRENCIES] refunded;
        uint256[CURRENCIES] pools;
        uint256[CURRENCIES] fees;
        uint256[CURRENCIES] expectedFees;
        uint256[CURRENCIES] pushed;
        uint256[CURRENCIES] credited;
        uint256[CURRENCIES] withdrawn;
        uint256[CURRENCIES] feesWithdrawn;
        uint256[CURRENCIES] outstanding;
        uint256[CURRENCIES] bondsIn;
        uint256[CURRENCIES] bondsReturned;
        uint256[CURRENCIES] bondsSlashed;
        uint256[CURRENCIES] slashCredited;
    }

    constructor() {
        escrow = new BountyEscrow(feeRecipient, FEE_BPS);
        review = BountyReview(escrow.review());
        court = new MockArbitrator(ARBITRATION_FEE);
        hookToken = new ReentrantToken();
        permitToken = new TestPermitToken("Permit", "PMT", 18);
        refuser = new HostileReceiver(address(escrow));
        refuser.setMode(HostileReceiver.Mode.RevertWithPayload);
        currencies = [
            address(0),
            address(new TestToken("Standard", "STD", 18)),
            address(new FeeOnTransferToken()),
            address(new NoReturnToken()),
            address(new CappedTransferToken()),
            address(hookToken),
            address(permitToken)
        ];
        for (uint256 i = 1; i <= 6; ++i) {
            uint256 key = 0xA11CE000 + i;
            _keys.push(key);
            actors.push(vm.addr(key));
            creditors.push(vm.addr(key));
        }
        approver = address(0xA99);
        creditors.push(address(refuser));
        issuers.push(address(0x1551));
        issuers.push(address(0x1552));
        vm.warp(1_700_000_000);
    }

    /*//////////////////////////////////////////////////////////////
     ADVERSARIAL BUNDLES FIRST: what the Python model never tried
    //////////////////////////////////////////////////////////////*/

    /// @notice A pledge and a proposal in one block: the proposal holds the fresh pledge (it is
    /// locked), for at most MAX_REVIEW_HOLD; the colluding funder's pledge buys no say over it.
    function pledgeThenPropose(uint256 bountySeed, uint256 funderSeed, uint256 amount, uint256 sharesSeed) external {
        uint256 bountyId = _pickReviewed(bountySeed);
        if (bountyId == 0) return;
        _pledgeAs(bountyId, _funder(funderSeed), amount, type(uint64).max);
        _propose(bountyId, sharesSeed);
    }

    /// @notice Lapse a blocked proposal and propose again in the same block: pledges unlocked
    /// before the first proposal stay free, locked ones are held from the new proposal only.
    function lapseThenPropose(uint256 bountySeed, uint256 sharesSeed) external {
        uint256 bountyId = _pickReviewed(bountySeed);
        if (bountyId == 0) return;
        _lapse(bountyId);
        _propose(bountyId, sharesSeed);
    }

    /// @notice An extension mined just before a pledge that signed the old deadline: the pledge
    /// is refused, never locked past what its funder signed.
    function extendThenPledge(uint256 bountySeed, uint256 funderSeed, uint256 amount, uint256 extension) external {
        uint256 bountyId = _pickBounty(bountySeed);
        if (bountyId == 0) return;
        uint64 signedMax = ghosts[bountyId].deadline;
        _extend(bountyId, extension);
        _pledgeAs(bountyId, _funder(funderSeed), amount, signedMax);
    }

    /*//////////////////////////////////////////////////////////////
                              TIME
    //////////////////////////////////////////////////////////////*/

    function warp(uint256 seconds_) external {
        // Mostly hours, sometimes days; now and then past a window, a hold or a claim period.
        uint256 choice = seconds_ % 20;
        uint256 step = choice < 12 ? 1 + seconds_ % 1 days : choice < 19 ? 1 days + seconds_ % 10 days : 30 days
            + seconds_ % 400 days;
        vm.warp(block.timestamp + step);
        calls++;
    }

    /*//////////////////////////////////////////////////////////////
                         ESCROW: BOUNTIES
    //////////////////////////////////////////////////////////////*/

    function createBounty(uint256 issuerSeed, uint256 currencySeed, uint256 deadlineSeed, bool approverIsColluder)
        external
    {
        if (bountyIds.length >= MAX_BOUNTIES) return;
        address issuer = issuers[issuerSeed % issuers.length];
        uint8 currency = uint8(currencySeed % CURRENCIES);
        uint64 deadline = _deadline(deadlineSeed);
        uint256 g = _gasStart();
        vm.prank(issuer);
        uint256 id = escrow.createBounty(currencies[currency], deadline, approverIsColluder ? approver : address(0), "ipfs://b");
        _gas("createBounty", g, 0);
        _track(id, Kind.Plain, currency, deadline, 0);
    }

    function pledge(uint256 bountySeed, uint256 funderSeed, uint256 amount, bool tightLock) external {
        uint256 bountyId = _pickBounty(bountySeed);
        if (bountyId == 0) return;
        _pledgeAs(bountyId, _funder(funderSeed), amount, tightLock ? ghosts[bountyId].deadline : type(uint64).max);
    }

    /// @notice A new funder from a crowd that only grows: gas must not grow with it.
    function pledgeFromCrowd(uint256 bountySeed, uint256 amount) external {
        uint256 bountyId = _pickBounty(bountySeed);
        if (bountyId == 0) return;
        address funder = address(uint160(0xC0000000 + funderCount[bountyId] * 7919 + bountyId));
        _pledgeAs(bountyId, funder, amount, type(uint64).max);
    }

    function pledgeWithPermit(uint256 bountySeed, uint256 actorSeed, uint256 amount) external {
        uint256 bountyId = _pickBounty(bountySeed);
        if (bountyId == 0 || ghosts[bountyId].currency != PERMIT) return;
        uint256 i = actorSeed % actors.length;
        address funder = actors[i];
        amount = 1 + amount % 1e24;
        permitToken.mint(funder, amount);
        vm.prank(funder);
        permitToken.approve(address(escrow), 0); // the permit alone must allow the pledge
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                funder,
                address(escrow),
                amount,
                permitToken.nonces(funder),
                block.timestamp
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(_keys[i], keccak256(abi.encodePacked("\x19\x01", permitToken.DOMAIN_SEPARATOR(), structHash)));
        uint256 before = IERC20(address(permitToken)).balanceOf(address(escrow));
        // A top-up of a bonded bounty settles the funder's part of the bonds slashed so far.
        uint256 creditBefore = escrow.creditOf(funder, address(permitToken));
        uint256 g = _gasStart();
        vm.prank(funder);
        try escrow.pledgeWithPermit(bountyId, amount, type(uint64).max, block.timestamp, v, r, s) returns (uint256 got) {
            _gas("pledgeWithPermit", g, 0);
            if (IERC20(address(permitToken)).balanceOf(address(escrow)) - before != got) wrongDelivery++;
            _slashSettled(bountyId, funder, creditBefore);
            _booked(bountyId, funder, got, type(uint64).max);
        } catch {}
        calls++;
    }

    function submitSolution(uint256 bountySeed, uint256 hunterSeed) external {
        uint256 bountyId = _pickBounty(bountySeed);
        if (bountyId == 0) return;
        address hunter = _hunter(hunterSeed);
        if (ghosts[bountyId].bond != 0) return _submitBonded(bountyId, hunter);
        uint256 g = _gasStart();
        vm.prank(hunter);
        try escrow.submitSolution(bountyId, "https://github.com/o/r/pull/1") {
            _gas("submitSolution", g, 0);
        } catch {}
        calls++;
    }

    function submitSolutionBySig(uint256 bountySeed, uint256 actorSeed, uint256 nonce) external {
        uint256 bountyId = _pickBounty(bountySeed);
        if (bountyId == 0) return;
        uint256 i = actorSeed % actors.length;
        nonce = nonce % 64; // small, so that used nonces come back and must be refused
        uint256 expiry = block.timestamp + 1 hours;
        bytes memory signature = _signSolution(bountyId, i, nonce, expiry);
        bool wasUsed = escrow.nonceUsed(actors[i], nonce);
        // A relayed claim on a bonded bounty pulls the bond from the hunter: by its allowance,
        // or (the permit token) by the hunter's EIP-2612 permit for exactly the bond, which the
        // relayer sends to the token first.
        uint8 currency = ghosts[bountyId].currency;
        uint256 bond = ghosts[bountyId].bond;
        bool byPermit = bond != 0 && currency == PERMIT;
        if (byPermit) _permitBond(i, bond);
        else if (bond != 0 && currency != 0) _fund(currency, actors[i], bond);
        uint256 before = _balanceOf(currency, address(escrow));
        uint256 g = _gasStart();
        try escrow.submitSolutionBySig(bountyId, "ipfs://sig", actors[i], nonce, expiry, signature)
        returns (uint256 claimId) {
            _gas("submitSolutionBySig", g, 0);
            if (wasUsed) wrongDelivery++; // a replayed signature landed
            uint256 got = _balanceOf(currency, address(escrow)) - before;
            if (bond != 0) _bookBond(bountyId, claimId, actors[i], got);
            else if (got != 0) wrongDelivery++;
            // The permit allowed the bond and not a wei more: the escrow used all of it.
            if (byPermit) {
                successes["submitBondedByPermit"]++;
                if (IERC20(address(permitToken)).allowance(actors[i], address(escrow)) != 0) wrongDelivery++;
            }
        } catch {}
        calls++;
    }

    /// @dev `actors[i]`'s signature of a solution to `bountyId`, for anyone to relay.
    function _signSolution(uint256 bountyId, uint256 i, uint256 nonce, uint256 expiry) private view returns (bytes memory) {
        bytes32 structHash = keccak256(
            abi.encode(
                escrow.SUBMIT_SOLUTION_TYPEHASH(), bountyId, keccak256(bytes("ipfs://sig")), actors[i], nonce, expiry
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(_keys[i], keccak256(abi.encodePacked("\x19\x01", escrow.DOMAIN_SEPARATOR(), structHash)));
        return abi.encodePacked(r, s, v);
    }

    /// @dev The hunter `actors[i]` holds the bond and signs an EIP-2612 permit to the escrow
    /// for exactly it (no allowance before); the relayer (this handler) sends the permit.
    function _permitBond(uint256 i, uint256 bond) private {
        address hunter = actors[i];
        permitToken.mint(hunter, bond);
        vm.prank(hunter);
        permitToken.approve(address(escrow), 0);
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256("Permit(address owner,address spender,uint256 value,uint256 nonce,uint256 deadline)"),
                hunter,
                address(escrow),
                bond,
                permitToken.nonces(hunter),
                block.timestamp
            )
        );
        (uint8 v, bytes32 r, bytes32 s) =
            vm.sign(_keys[i], keccak256(abi.encodePacked("\x19\x01", permitToken.DOMAIN_SEPARATOR(), structHash)));
        permitToken.permit(hunter, address(escrow), bond, block.timestamp, v, r, s);
    }

    function invalidateNonce(uint256 actorSeed, uint256 nonce) external {
        address hunter = actors[actorSeed % actors.length];
        uint256 g = _gasStart();
        vm.prank(hunter);
        try escrow.invalidateNonce(nonce % 64) {
            _gas("invalidateNonce", g, 0);
        } catch {}
        calls++;
    }

    function award(uint256 bountySeed, uint256 sharesSeed) external {
        (uint256 bountyId, uint256[] memory claimIds, uint256[] memory shares) = _pickAward(bountySeed, sharesSeed);
        if (bountyId == 0) return;
        IBountyEscrow.BountyInfo memory info = escrow.getBounty(bountyId);
        (uint256 feesBefore, uint256 creditsBefore, uint256[] memory hunterBalances) = _payoutSnapshot(bountyId, claimIds);
        uint256 g = _gasStart();
        vm.prank(info.approver);
        try escrow.award(bountyId, claimIds, shares) {
            _gas("award", g, claimIds.length);
            _settled(bountyId, ghosts[bountyId].total, feesBefore, creditsBefore, claimIds, shares, hunterBalances);
        } catch {}
        calls++;
    }

    function refund(uint256 pledgeSeed, bool toSink, uint256 partSeed) external {
        if (pledges.length == 0) return;
        PledgeRecord storage rec = pledges[pledgeSeed % pledges.length];
        if (rec.amount == 0) return;
        uint256 bountyId = rec.bountyId;
        address funder = rec.funder;
        bool locked = _lockedByGhost(bountyId, rec);
        uint8 currency = ghosts[bountyId].currency;
        uint256 amount = rec.amount;
        if (toSink || (currency == CAPPED && amount > TRANSFER_CAP)) {
            amount = 1 + partSeed % (amount < TRANSFER_CAP ? amount : TRANSFER_CAP);
        }
        address to = toSink ? sink : funder;
        uint256 before = _balanceOf(currency, to);
        uint256 creditBefore = escrow.creditOf(funder, currencies[currency]);
        uint256 g = _gasStart();
        vm.prank(funder);
        bool ok;
        if (toSink || amount != rec.amount) {
            try escrow.refundTo(bountyId, amount, to) {
                ok = true;
                _gas("refundTo", g, 0);
            } catch {}
        } else {
            try escrow.refund(bountyId) returns (uint256 got) {
                ok = got == amount;
                if (!ok) wrongDelivery++;
                _gas("refund", g, 0);
            } catch {}
        }
        calls++;
        if (!ok) return;
        if (locked) refundBeforeUnlock++;
        _checkDelivered(currency, to, before, amount);
        _slashSettled(bountyId, funder, creditBefore);
        Ghost storage ghost = ghosts[bountyId];
        // All of a pledge burns its shares; a part burns them rounded up (in the pool's favour).
        uint256 burned = amount == rec.amount
            ? rec.shares
            : ghost.supply == ghost.total ? amount : (amount * ghost.supply + ghost.total - 1) / ghost.total;
        rec.shares -= burned;
        ghost.supply -= burned;
        ghost.total -= amount;
        refunded[currency] += amount;
        if (ghost.partlyAwarded) _revalue(bountyId);
        else rec.amount -= amount;
    }

    function withdraw(uint256 creditorSeed, uint256 currencySeed, bool toSink, uint256 partSeed) external {
        address account = creditors[creditorSeed % creditors.length];
        uint8 currency = uint8(currencySeed % CURRENCIES);
        uint256 credit = escrow.creditOf(account, currencies[currency]);
        if (credit == 0) return;
        // The refuser cannot take ETH itself: it names another recipient, as promise 5 says.
        if (account == address(refuser)) toSink = true;
        uint256 amount = credit;
        if (toSink || (currency == CAPPED && amount > TRANSFER_CAP)) {
            amount = 1 + partSeed % (amount < TRANSFER_CAP ? amount : TRANSFER_CAP);
        }
        address to = toSink ? sink : account;
        uint256 before = _balanceOf(currency, to);
        uint256 g = _gasStart();
        vm.prank(account);
        bool ok;
        if (toSink || amount != credit) {
            try escrow.withdrawTo(currencies[currency], amount, to) {
                ok = true;
                _gas("withdrawTo", g, 0);
            } catch {}
        } else {
            try escrow.withdraw(currencies[currency]) {
                ok = true;
                _gas("withdraw", g, 0);
            } catch {}
        }
        calls++;
        if (!ok) return;
        _checkDelivered(currency, to, before, amount);
        withdrawn[currency] += amount;
    }

    function withdrawFees(uint256 currencySeed, uint256 partSeed) external {
        uint8 currency = uint8(currencySeed % CURRENCIES);
        uint256 available = escrow.feesAccrued(currencies[currency]);
        if (available == 0) return;
        uint256 amount = 1 + partSeed % (available < TRANSFER_CAP ? available : TRANSFER_CAP);
        uint256 before = _balanceOf(currency, sink);
        uint256 g = _gasStart();
        vm.prank(feeRecipient);
        try escrow.withdrawFees(currencies[currency], amount, sink) {
            _gas("withdrawFees", g, 0);
            _checkDelivered(currency, sink, before, amount);
            feesWithdrawn[currency] += amount;
        } catch {}
        calls++;
    }

    function cancel(uint256 bountySeed) external {
        uint256 bountyId = _pickBounty(bountySeed);
        if (bountyId == 0) return;
        address issuer = escrow.getBounty(bountyId).issuer;
        uint256 g = _gasStart();
        vm.prank(issuer);
        try escrow.cancel(bountyId) {
            _gas("cancel", g, 0);
        } catch {}
        calls++;
    }

    function extendDeadline(uint256 bountySeed, uint256 extension) external {
        uint256 bountyId = _pickBounty(bountySeed);
        if (bountyId == 0) return;
        _extend(bountyId, extension);
    }

    /*//////////////////////////////////////////////////////////////
                    ESCROW: MILESTONES AND CLAIM BONDS
    //////////////////////////////////////////////////////////////*/

    function createBondedBounty(
        uint256 issuerSeed,
        uint256 currencySeed,
        uint256 deadlineSeed,
        bool approverIsColluder,
        uint256 bondSeed
    ) external {
        if (bountyIds.length >= MAX_BOUNTIES) return;
        address issuer = issuers[issuerSeed % issuers.length];
        uint8 currency = uint8(currencySeed % CURRENCIES);
        uint64 deadline = _deadline(deadlineSeed);
        // Awkward bonds: a wei, odd sums, up to 100 units.
        uint96 bond = uint96(bondSeed % 3 == 0 ? 1 + bondSeed % 7 : 1 + bondSeed % 1e20);
        uint256 g = _gasStart();
        vm.prank(issuer);
        uint256 id = escrow.createBondedBounty(
            currencies[currency], deadline, approverIsColluder ? approver : address(0), "ipfs://bonded", bond
        );
        _gas("createBondedBounty", g, 0);
        _track(id, Kind.Plain, currency, deadline, 0);
        ghosts[id].bond = bond;
    }

    /// @notice The approver or the issuer funds its own bounty: a spam mark must gain it nothing.
    function pledgeAsJudge(uint256 bountySeed, uint256 amount, bool asIssuer) external {
        uint256 bountyId = _pickBounty(bountySeed);
        if (bountyId == 0 || ghosts[bountyId].kind != Kind.Plain) return;
        IBountyEscrow.BountyInfo memory info = escrow.getBounty(bountyId);
        _pledgeAs(bountyId, asIssuer ? info.issuer : info.approver, amount, type(uint64).max);
    }

    /// @notice A milestone: the approver (on some bounties the colluder's) pays a fraction of
    /// the pool, often an awkward one, and the rest stays open.
    function awardPart(uint256 bountySeed, uint256 sharesSeed, uint256 partSeed) external {
        (uint256 bountyId, uint256[] memory claimIds, uint256[] memory shares) = _pickAward(bountySeed, sharesSeed);
        if (bountyId == 0) return;
        uint256 choice = partSeed % 6;
        uint256 partBps = choice == 0 ? 1 : choice == 1 ? BPS - 1 : choice == 2 ? 3333 : 1 + partSeed % (BPS - 1);
        _awardPart(bountyId, partBps, claimIds, shares);
        calls++;
    }

    /// @notice The approver marks a bonded claim as spam (also after the deadline or the
    /// award, which must be refused); at times it funds the bounty just before, to gain from it.
    function markSpam(uint256 bondSeed, bool judgeFundsFirst, uint256 amount) external {
        if (bonds.length == 0) return;
        BondRecord storage rec = bonds[bondSeed % bonds.length];
        uint256 bountyId = rec.bountyId;
        Ghost storage ghost = ghosts[bountyId];
        IBountyEscrow.BountyInfo memory info = escrow.getBounty(bountyId);
        if (judgeFundsFirst) _pledgeAs(bountyId, info.approver, amount, type(uint64).max);
        address token = currencies[ghost.currency];
        uint256 judgesBefore = _judgesCredit(info, token);
        bool open = info.status == IBountyEscrow.Status.Open && block.timestamp < ghost.deadline;
        uint256 g = _gasStart();
        vm.prank(info.approver);
        try escrow.markSpam(bountyId, rec.claimId) {
            _gas("markSpam", g, 0);
            if (!open || rec.amount == 0) bondLeftEarly++;
            // Promise 10: the judges gain nothing, now or later.
            if (_judgesCredit(info, token) != judgesBefore) slashReachedJudge++;
            if (escrow.slashedOwed(bountyId, info.approver) + escrow.slashedOwed(bountyId, info.issuer) != 0) {
                slashReachedJudge++;
            }
            bondsSlashed[ghost.currency] += rec.amount;
            ghost.slashed += rec.amount;
            ghost.slashDustBound += funderCount[bountyId];
            rec.amount = 0;
        } catch {}
        calls++;
    }

    function withdrawBond(uint256 bondSeed) external {
        if (bonds.length == 0) return;
        BondRecord storage rec = bonds[bondSeed % bonds.length];
        uint256 bountyId = rec.bountyId;
        uint8 currency = ghosts[bountyId].currency;
        bool open = escrow.getBounty(bountyId).status == IBountyEscrow.Status.Open
            && block.timestamp < ghosts[bountyId].deadline;
        uint256 before = _balanceOf(currency, rec.hunter);
        uint256 g = _gasStart();
        vm.prank(rec.hunter);
        try escrow.withdrawBond(bountyId, rec.claimId) returns (uint256 got) {
            _gas("withdrawBond", g, 0);
            if (open) bondLeftEarly++;
            if (got != rec.amount) wrongDelivery++;
            _checkDelivered(currency, rec.hunter, before, got);
            bondsReturned[currency] += got;
            rec.amount = 0;
        } catch {}
        calls++;
    }

    function claimSlashed(uint256 pledgeSeed) external {
        if (pledges.length == 0) return;
        PledgeRecord storage rec = pledges[pledgeSeed % pledges.length];
        uint256 bountyId = rec.bountyId;
        if (ghosts[bountyId].bond == 0) return;
        address token = currencies[ghosts[bountyId].currency];
        uint256 owed = escrow.slashedOwed(bountyId, rec.funder);
        uint256 creditBefore = escrow.creditOf(rec.funder, token);
        uint256 g = _gasStart();
        vm.prank(rec.funder);
        try escrow.claimSlashed(bountyId) returns (uint256 got) {
            _gas("claimSlashed", g, 0);
            if (got != owed) wrongDelivery++;
            _slashSettled(bountyId, rec.funder, creditBefore);
        } catch {}
        calls++;
    }

    /*//////////////////////////////////////////////////////////////
                         ESCROW: FUNDRAISERS
    //////////////////////////////////////////////////////////////*/

    function createFundraiser(uint256 creditorSeed, uint256 currencySeed, uint256 goal, uint256 deadlineSeed, bool allOrNothing)
        external
    {
        if (bountyIds.length >= MAX_BOUNTIES) return;
        address beneficiary = creditors[creditorSeed % creditors.length];
        uint8 currency = uint8(currencySeed % CURRENCIES);
        goal = allOrNothing ? 1 + goal % 1e21 : goal % 1e21;
        uint64 deadline = _deadline(deadlineSeed);
        uint256 g = _gasStart();
        vm.prank(issuers[deadlineSeed % issuers.length]);
        uint256 id =
            escrow.createFundraiser(beneficiary, currencies[currency], goal, deadline, allOrNothing, "ipfs://f");
        _gas("createFundraiser", g, 0);
        _track(id, allOrNothing ? Kind.AllOrNothing : Kind.Fundraiser, currency, deadline, goal);
    }

    function withdrawRaised(uint256 bountySeed) external {
        uint256 bountyId = _pickBounty(bountySeed);
        if (bountyId == 0) return;
        Ghost storage ghost = ghosts[bountyId];
        if (ghost.kind != Kind.Fundraiser && ghost.kind != Kind.AllOrNothing) return;
        address beneficiary = escrow.getFundraiser(bountyId).beneficiary;
        uint256 feesBefore = escrow.feesAccrued(currencies[ghost.currency]);
        uint256 creditBefore = escrow.creditOf(beneficiary, currencies[ghost.currency]);
        uint256 balanceBefore = _balanceOf(ghost.currency, beneficiary);
        uint256 pool = ghost.total;
        uint256 g = _gasStart();
        try escrow.withdrawRaised(bountyId) returns (uint256 net) {
            _gas("withdrawRaised", g, 0);
            uint256 fee = escrow.feesAccrued(currencies[ghost.currency]) - feesBefore;
            uint256 credit = escrow.creditOf(beneficiary, currencies[ghost.currency]) - creditBefore;
            if (net + fee != pool) wrongDelivery++;
            if (credit == 0) _checkDelivered(ghost.currency, beneficiary, balanceBefore, net);
            else _noteCredit(beneficiary, ghost.currency);
            _closeGhostPool(bountyId, pool, fee, credit, net - credit);
        } catch {}
        calls++;
    }

    /*//////////////////////////////////////////////////////////////
                         REVIEW: PROPOSALS AND RULINGS
    //////////////////////////////////////////////////////////////*/

    /// @param arbiterSeed 0: no arbiter; 1: a plain arbiter address; 2: the ERC-792 court.
    function createBountyWithReview(
        uint256 issuerSeed,
        uint256 currencySeed,
        uint256 deadlineSeed,
        uint8 arbiterSeed,
        uint16 quorumSeed,
        uint32 windowSeed
    ) external {
        if (bountyIds.length >= MAX_BOUNTIES) return;
        uint8 currency = uint8(currencySeed % CURRENCIES);
        uint64 deadline = _deadline(deadlineSeed);
        Kind kind = Kind(1 + arbiterSeed % 3);
        IBountyReview.ReviewTerms memory terms;
        terms.reviewWindow = uint32(1 days + windowSeed % 29 days);
        if (kind == Kind.ReviewedPlainArbiter) terms.arbiter = arbiter;
        if (kind == Kind.ReviewedCourt) {
            terms.arbiter = address(court);
            terms.arbiterIsErc792 = true;
            terms.arbitratorExtraData = hex"01";
        }
        if (kind != Kind.ReviewedNoArbiter) terms.quorumBps = uint16(1 + quorumSeed % BPS);
        // The approver colludes with actors[0], who funds and hunts on the same bounties.
        address proposer = issuerSeed % 5 == 0 ? address(hookToken) : approver;
        uint256 g = _gasStart();
        vm.prank(issuers[issuerSeed % issuers.length]);
        uint256 id = review.createBountyWithReview(currencies[currency], deadline, proposer, "ipfs://r", terms);
        _gas("createBountyWithReview", g, 0);
        _track(id, kind, currency, deadline, 0);
    }

    function propose(uint256 bountySeed, uint256 sharesSeed) external {
        uint256 bountyId = _pickReviewed(bountySeed);
        if (bountyId == 0) return;
        _propose(bountyId, sharesSeed);
    }

    /// @notice A funder of a bounty with a live proposal objects (the colluder too, at times).
    function object(uint256 pledgeSeed) external {
        uint256 n = pledges.length;
        if (n == 0) return;
        uint256 bountyId;
        address funder;
        for (uint256 i; i < n; ++i) {
            PledgeRecord storage rec = pledges[(pledgeSeed % n + i) % n];
            if (ghosts[rec.bountyId].proposedAt != 0 && rec.amount != 0) {
                (bountyId, funder) = (rec.bountyId, rec.funder);
                break;
            }
        }
        if (bountyId == 0) return;
        uint256 g = _gasStart();
        vm.prank(funder);
        try review.object(bountyId) {
            _gas("object", g, 0);
            _objectors[bountyId].push(funder);
        } catch {}
        calls++;
    }

    function finalize(uint256 bountySeed) external {
        uint256 bountyId = _pickReviewed(bountySeed);
        if (bountyId == 0) return;
        Ghost storage ghost = ghosts[bountyId];
        uint256[] memory claimIds = _proposedClaims[bountyId];
        uint256[] memory shares = _proposedShares[bountyId];
        if (claimIds.length == 0) return;
        uint256 poolBefore = ghost.total;
        (uint256 feesBefore, uint256 creditsBefore, uint256[] memory hunterBalances) = _payoutSnapshot(bountyId, claimIds);
        uint256 g = _gasStart();
        try review.finalize(bountyId, claimIds, shares) {
            _gas("finalize", g, claimIds.length);
            if (escrow.getBounty(bountyId).status == IBountyEscrow.Status.Awarded) {
                _withholdObjectors(bountyId);
                _settled(bountyId, poolBefore, feesBefore, creditsBefore, claimIds, shares, hunterBalances);
            }
            _endProposal(bountyId);
        } catch {}
        calls++;
    }

    function escalate(uint256 bountySeed, bool overpay) external {
        uint256 bountyId = _pickReviewed(bountySeed);
        if (bountyId == 0) return;
        uint256 fee = ghosts[bountyId].kind == Kind.ReviewedCourt ? ARBITRATION_FEE : 0;
        if (overpay && fee != 0) fee += 1 ether;
        address caller = actors[bountySeed % actors.length];
        vm.deal(caller, caller.balance + fee);
        uint256 before = caller.balance;
        uint256 g = _gasStart();
        vm.prank(caller);
        try review.escalate{value: fee}(bountyId) {
            _gas("escalate", g, 0);
            // The court takes its fee and not a wei more; the excess comes back.
            if (fee != 0 && before - caller.balance != ARBITRATION_FEE) wrongDelivery++;
        } catch {}
        calls++;
    }

    /// @param ruling 0 refuses, 1 pays the proposal over the objections, 2 rejects it.
    function decide(uint256 bountySeed, uint8 ruling) external {
        uint256 bountyId = _pickReviewed(bountySeed);
        if (bountyId == 0) return;
        ruling %= 3;
        IBountyReview.ReviewInfo memory info = review.getReview(bountyId);
        uint256 g = _gasStart();
        bool ok;
        if (ghosts[bountyId].kind == Kind.ReviewedCourt) {
            if (info.state != IBountyReview.ProposalState.Escalated) return;
            try court.giveRuling(info.disputeId, ruling) {
                ok = true;
                _gas("rule", g, 0);
            } catch {}
        } else {
            vm.prank(arbiter);
            try review.decide(bountyId, info.proposalNonce, ruling) {
                ok = true;
                _gas("decide", g, 0);
            } catch {}
        }
        calls++;
        if (!ok) return;
        if (ruling == 1) ghosts[bountyId].upheld = true;
        else _endProposal(bountyId);
    }

    function lapse(uint256 bountySeed) external {
        uint256 bountyId = _pickReviewed(bountySeed);
        if (bountyId == 0) return;
        _lapse(bountyId);
    }

    function submitEvidence(uint256 bountySeed) external {
        uint256 bountyId = _pickReviewed(bountySeed);
        if (bountyId == 0) return;
        uint256 g = _gasStart();
        try review.submitEvidence(bountyId, "ipfs://evidence") {
            _gas("submitEvidence", g, 0);
        } catch {}
        calls++;
    }

    /// @notice The hook token re-enters on every transfer: into a refund, a withdrawal, a
    /// pledge or a proposal (it is the approver of some reviewed bounties). None may land.
    function setHook(uint256 kindSeed, uint256 bountySeed) external {
        uint256 bountyId = bountyIds.length == 0 ? 1 : bountyIds[bountySeed % bountyIds.length];
        uint256 kind = kindSeed % 5;
        uint256[] memory one = new uint256[](1);
        uint256[] memory whole = new uint256[](1);
        one[0] = 1;
        whole[0] = BPS;
        if (kind == 0) hookToken.setHook(address(0), "", false);
        if (kind == 1) hookToken.setHook(address(escrow), abi.encodeCall(escrow.refund, (bountyId)), false);
        if (kind == 2) hookToken.setHook(address(escrow), abi.encodeCall(escrow.withdraw, (address(hookToken))), false);
        if (kind == 3) hookToken.setHook(address(review), abi.encodeCall(review.propose, (bountyId, one, whole)), false);
        if (kind == 4) {
            hookToken.setHook(address(escrow), abi.encodeCall(escrow.pledge, (bountyId, 1, type(uint64).max)), false);
        }
        calls++;
    }

    /*//////////////////////////////////////////////////////////////
                      PROBES (called by the invariants)
    //////////////////////////////////////////////////////////////*/

    /// @notice Tries a refund and always reverts: ProbeSucceeded if the refund went through.
    function probeRefund(uint256 bountyId, address funder, uint256 amount) external {
        vm.prank(funder);
        escrow.refundTo(bountyId, amount, sink);
        revert ProbeSucceeded();
    }

    function probeWithdraw(address account, address token, uint256 amount) external {
        vm.prank(account);
        escrow.withdrawTo(token, amount, sink);
        revert ProbeSucceeded();
    }

    function probeWithdrawBond(uint256 index) external {
        BondRecord storage rec = bonds[index];
        vm.prank(rec.hunter);
        escrow.withdrawBond(rec.bountyId, rec.claimId);
        revert ProbeSucceeded();
    }

    function probeWithdrawFees(address token, uint256 amount) external {
        vm.prank(feeRecipient);
        escrow.withdrawFees(token, amount, sink);
        revert ProbeSucceeded();
    }

    /// @notice Ends a live proposal the way anyone can once its time is up.
    function probeEndProposal(uint256 bountyId) external {
        IBountyReview.ReviewInfo memory info = review.getReview(bountyId);
        if (info.state == IBountyReview.ProposalState.Pending || info.state == IBountyReview.ProposalState.Upheld) {
            review.finalize(bountyId, _proposedClaims[bountyId], _proposedShares[bountyId]);
        } else {
            review.lapse(bountyId);
        }
        revert ProbeSucceeded();
    }

    /// @notice The rules of promise 4, from the ghost's own clock: whether this pledge must be
    /// refundable now.
    function mustBeRefundable(uint256 index) public view returns (bool) {
        PledgeRecord storage rec = pledges[index];
        if (rec.amount == 0) return false;
        return !_lockedByGhost(rec.bountyId, rec);
    }

    function ghostBooks() external view returns (GhostBooks memory g) {
        (g.received, g.refunded, g.pools, g.fees, g.expectedFees) = (received, refunded, pools, fees, expectedFees);
        (g.pushed, g.credited, g.withdrawn, g.feesWithdrawn) = (pushed, credited, withdrawn, feesWithdrawn);
        (g.bondsIn, g.bondsReturned, g.bondsSlashed, g.slashCredited) = (bondsIn, bondsReturned, bondsSlashed, slashCredited);
        for (uint256 b; b < bountyIds.length; ++b) {
            Ghost storage ghost = ghosts[bountyIds[b]];
            g.outstanding[ghost.currency] += ghost.total;
        }
    }

    /// @notice A bounty's ghost, whole (a struct this wide does not fit a getter's stack).
    function ghostOf(uint256 bountyId) external view returns (Ghost memory) {
        return ghosts[bountyId];
    }

    function bountyCount() external view returns (uint256) {
        return bountyIds.length;
    }

    function pledgeCount() external view returns (uint256) {
        return pledges.length;
    }

    function creditorCount() external view returns (uint256) {
        return creditors.length;
    }

    /// @notice The bounties (ids and currencies), the currencies and the credited pairs, in
    /// one call: the invariants read the escrow's books through these.
    function bookLayout()
        external
        view
        returns (
            uint256[] memory ids,
            uint8[] memory bountyCurrencies,
            address[CURRENCIES] memory tokens,
            address[] memory accounts,
            uint8[] memory accountCurrencies
        )
    {
        ids = bountyIds;
        bountyCurrencies = new uint8[](ids.length);
        for (uint256 b; b < ids.length; ++b) {
            bountyCurrencies[b] = ghosts[ids[b]].currency;
        }
        return (ids, bountyCurrencies, currencies, creditAccounts, creditCurrencies);
    }

    /// @notice Every bond record's bounty, claim and currency, in one call: the invariants add
    /// up the bonds the escrow says it holds through these.
    function bondLayout()
        external
        view
        returns (uint256[] memory bountyIdsOfBonds, uint256[] memory claimIds, uint8[] memory bondCurrencies)
    {
        uint256 n = bonds.length;
        (bountyIdsOfBonds, claimIds, bondCurrencies) = (new uint256[](n), new uint256[](n), new uint8[](n));
        for (uint256 i; i < n; ++i) {
            BondRecord storage rec = bonds[i];
            (bountyIdsOfBonds[i], claimIds[i], bondCurrencies[i]) = (rec.bountyId, rec.claimId, ghosts[rec.bountyId].currency);
        }
    }

    /// @notice The reviewed bounties (the only ones a proposal can put under review) and when
    /// the ghost saw each one's live proposal made, in one call.
    function reviewedBounties() external view returns (uint256[] memory ids, uint64[] memory proposedAt) {
        uint256 n = bountyIds.length;
        (ids, proposedAt) = (new uint256[](n), new uint64[](n));
        uint256 count;
        for (uint256 b; b < n; ++b) {
            Ghost storage ghost = ghosts[bountyIds[b]];
            Kind kind = ghost.kind;
            if (kind == Kind.Plain || kind == Kind.Fundraiser || kind == Kind.AllOrNothing) continue;
            (ids[count], proposedAt[count]) = (bountyIds[b], ghost.proposedAt);
            ++count;
        }
        assembly ("memory-safe") {
            mstore(ids, count)
            mstore(proposedAt, count)
        }
    }

    function objectorsOf(uint256 bountyId) external view returns (address[] memory) {
        return _objectors[bountyId];
    }

    /*//////////////////////////////////////////////////////////////
                              INTERNAL
    //////////////////////////////////////////////////////////////*/

    function _pledgeAs(uint256 bountyId, address funder, uint256 amount, uint64 maxUnlocksAt) private {
        Ghost storage ghost = ghosts[bountyId];
        uint8 currency = ghost.currency;
        // Mostly modest sums; now and then one above the capped token's per-transfer limit.
        amount = currency == CAPPED && amount % 7 == 0 ? TRANSFER_CAP + 1 + amount % TRANSFER_CAP : 1 + amount % 1e21;
        uint256 value = _fund(currency, funder, amount);
        uint256 before = _balanceOf(currency, address(escrow));
        uint256 creditBefore = escrow.creditOf(funder, currencies[currency]);
        uint256 g = _gasStart();
        vm.prank(funder);
        try escrow.pledge{value: value}(bountyId, amount, maxUnlocksAt) returns (uint256 got) {
            _gas("pledge", g, 0);
            if (_balanceOf(currency, address(escrow)) - before != got) wrongDelivery++;
            if (currency == FOT ? got != amount - amount / 100 : got != amount) wrongDelivery++;
            _slashSettled(bountyId, funder, creditBefore);
            _booked(bountyId, funder, got, maxUnlocksAt);
        } catch {}
        calls++;
    }

    function _booked(uint256 bountyId, address funder, uint256 got, uint64 maxUnlocksAt) private {
        Ghost storage ghost = ghosts[bountyId];
        uint256 index = _pledgeIndex[bountyId][funder];
        if (index == 0) {
            pledges.push(PledgeRecord(bountyId, funder, 0, 0, false, 0));
            index = pledges.length;
            _pledgeIndex[bountyId][funder] = index;
            _pledgesOf[bountyId].push(index - 1);
            uint256 count = ++funderCount[bountyId];
            if (count > maxFundersOnOneBounty) maxFundersOnOneBounty = count;
        }
        PledgeRecord storage rec = pledges[index - 1];
        // Shares at the current ratio, rounded down (a top-up never dilutes the others); a
        // unit each while no partial award took part of the pool.
        uint256 shares = ghost.supply == 0 || ghost.total == 0 ? got : got * ghost.supply / ghost.total;
        rec.shares += shares;
        ghost.supply += shares;
        ghost.total += got;
        received[ghost.currency] += got;
        if (ghost.partlyAwarded) _revalue(bountyId);
        else rec.amount += got;
        // Promise 3: the lock is the deadline in force at the pledge, never past what was signed.
        rec.unlocksAt = ghost.deadline;
        (, uint64 unlocksAt) = escrow.pledgeOf(bountyId, funder);
        if (unlocksAt != ghost.deadline || unlocksAt > maxUnlocksAt) lockAboveSignedMax++;
    }

    function _awardPart(uint256 bountyId, uint256 partBps, uint256[] memory claimIds, uint256[] memory shares)
        private
    {
        uint256 totalBefore = ghosts[bountyId].total;
        (uint256 feesBefore, uint256 creditsBefore, uint256[] memory hunterBalances) = _payoutSnapshot(bountyId, claimIds);
        address judge = escrow.getBounty(bountyId).approver;
        uint256 g = _gasStart();
        vm.prank(judge);
        try escrow.awardPart(bountyId, partBps, claimIds, shares) {
            _gas("awardPart", g, claimIds.length);
            // Promise 10: floor(pool x part), never a wei more; the rest stays pledged.
            uint256 pool = totalBefore - escrow.getBounty(bountyId).total;
            if (pool != totalBefore * partBps / BPS) partialAwardMisrounded++;
            _bookPart(bountyId, pool, feesBefore, creditsBefore, claimIds, shares, hunterBalances);
        } catch {}
    }

    /// @dev Books a milestone that took `pool` of the bounty: its fee, its winners' parts, and
    /// what every pledge is worth now.
    function _bookPart(
        uint256 bountyId,
        uint256 pool,
        uint256 feesBefore,
        uint256 creditsBefore,
        uint256[] memory claimIds,
        uint256[] memory shares,
        uint256[] memory hunterBalances
    ) private {
        address token = currencies[ghosts[bountyId].currency];
        uint256 fee = escrow.feesAccrued(token) - feesBefore;
        uint256 credit = _creditsOf(token) - creditsBefore;
        _checkWinners(bountyId, pool - fee, claimIds, shares, hunterBalances);
        _bookPayout(bountyId, pool, fee, credit, pool - fee - credit);
        ghosts[bountyId].partlyAwarded = true;
        _revalue(bountyId);
    }

    function _submitBonded(uint256 bountyId, address hunter) private {
        Ghost storage ghost = ghosts[bountyId];
        uint8 currency = ghost.currency;
        uint256 value = _fund(currency, hunter, ghost.bond);
        uint256 before = _balanceOf(currency, address(escrow));
        uint256 g = _gasStart();
        vm.prank(hunter);
        try escrow.submitSolution{value: value}(bountyId, "https://github.com/o/r/pull/2") returns (uint256 claimId) {
            _gas("submitBondedSolution", g, 0);
            _bookBond(bountyId, claimId, hunter, _balanceOf(currency, address(escrow)) - before);
        } catch {}
        calls++;
    }

    /// @dev Books a bond that arrived: the bond fixed at creation (99% of it in the
    /// fee-on-transfer token), held by the claim.
    function _bookBond(uint256 bountyId, uint256 claimId, address hunter, uint256 got) private {
        Ghost storage ghost = ghosts[bountyId];
        uint256 expected = ghost.currency == FOT ? ghost.bond - ghost.bond / 100 : ghost.bond;
        if (got != expected || escrow.claimBond(bountyId, claimId) != got) wrongDelivery++;
        bonds.push(BondRecord(bountyId, claimId, hunter, got));
        bondsIn[ghost.currency] += got;
    }

    /// @dev A funder's credit grew by its part of the slashed bonds (on a pledge, a refund or a
    /// claim): booked, and never for the approver or the issuer.
    function _slashSettled(uint256 bountyId, address funder, uint256 creditBefore) private {
        uint8 currency = ghosts[bountyId].currency;
        uint256 credit = escrow.creditOf(funder, currencies[currency]);
        if (credit == creditBefore) return;
        IBountyEscrow.BountyInfo memory info = escrow.getBounty(bountyId);
        if (funder == info.approver || funder == info.issuer) slashReachedJudge++;
        slashCredited[currency] += credit - creditBefore;
        ghosts[bountyId].slashPaid += credit - creditBefore;
        _noteCredit(funder, currency);
    }

    function _judgesCredit(IBountyEscrow.BountyInfo memory info, address token) private view returns (uint256) {
        uint256 sum = escrow.creditOf(info.approver, token);
        return info.issuer == info.approver ? sum : sum + escrow.creditOf(info.issuer, token);
    }

    /// @dev After a partial award took part of a pool, each pledge is worth its shares' part of
    /// what is left (rounded down; the last shares out take all); checked against the escrow.
    function _revalue(uint256 bountyId) private {
        Ghost storage ghost = ghosts[bountyId];
        uint256[] storage indexes = _pledgesOf[bountyId];
        for (uint256 i; i < indexes.length; ++i) {
            PledgeRecord storage rec = pledges[indexes[i]];
            rec.amount = rec.shares < ghost.supply ? rec.shares * ghost.total / ghost.supply : ghost.total;
            if (rec.shares == 0) rec.amount = 0;
            (uint256 worth,) = escrow.pledgeOf(bountyId, rec.funder);
            if (worth != rec.amount) proRataDrift++;
        }
    }

    /// @notice Promise 10, checked by the invariants, for every bounty in one call: the bonds
    /// slashed on it, what its funders were credited of them (by the ghost), what they are
    /// owed still (by the escrow), and the dust rounding may leave. Only a bonded bounty can
    /// have a bond slashed (`markSpam` refuses the others), so only its funders are asked.
    struct SlashedBooks {
        uint256 bountyId;
        uint256 slashed;
        uint256 paid;
        uint256 pending;
        uint256 dustBound;
    }

    function slashedBooks() external view returns (SlashedBooks[] memory books) {
        books = new SlashedBooks[](bountyIds.length);
        for (uint256 b; b < bountyIds.length; ++b) {
            uint256 bountyId = bountyIds[b];
            Ghost storage ghost = ghosts[bountyId];
            uint256 pending;
            if (ghost.bond != 0) {
                uint256[] storage indexes = _pledgesOf[bountyId];
                for (uint256 i; i < indexes.length; ++i) {
                    pending += escrow.slashedOwed(bountyId, pledges[indexes[i]].funder);
                }
            }
            books[b] = SlashedBooks(bountyId, ghost.slashed, ghost.slashPaid, pending, ghost.slashDustBound);
        }
    }

    /// @notice Promise 10: whether this bond must be withdrawable now (its bounty closed or
    /// expired; the hunter that refuses ETH cannot take an ETH bond, as documented).
    function mustBeWithdrawableBond(uint256 index) external view returns (bool) {
        BondRecord storage rec = bonds[index];
        if (rec.amount == 0) return false;
        if (ghosts[rec.bountyId].currency == 0 && rec.hunter == address(refuser)) return false;
        return escrow.getBounty(rec.bountyId).status != IBountyEscrow.Status.Open
            || block.timestamp >= ghosts[rec.bountyId].deadline;
    }

    function bondCount() external view returns (uint256) {
        return bonds.length;
    }

    function _propose(uint256 bountyId, uint256 sharesSeed) private {
        (uint256[] memory claimIds, uint256[] memory shares) = _shares(bountyId, sharesSeed);
        if (claimIds.length == 0) return;
        address proposer = review.getReview(bountyId).approver;
        uint256 g = _gasStart();
        vm.prank(proposer);
        try review.propose(bountyId, claimIds, shares) {
            _gas("propose", g, claimIds.length);
            Ghost storage ghost = ghosts[bountyId];
            ghost.proposedAt = uint64(block.timestamp);
            ghost.upheld = false;
            _proposedClaims[bountyId] = claimIds;
            _proposedShares[bountyId] = shares;
            delete _objectors[bountyId];
        } catch {}
        calls++;
    }

    function _lapse(uint256 bountyId) private {
        uint256 g = _gasStart();
        try review.lapse(bountyId) {
            _gas("lapse", g, 0);
            _endProposal(bountyId);
        } catch {}
        calls++;
    }

    function _extend(uint256 bountyId, uint256 extension) private {
        uint64 newDeadline = uint64(ghosts[bountyId].deadline + 1 + extension % 60 days);
        uint256 g = _gasStart();
        vm.prank(escrow.getBounty(bountyId).issuer);
        try escrow.extendDeadline(bountyId, newDeadline) {
            _gas("extendDeadline", g, 0);
            ghosts[bountyId].deadline = newDeadline;
        } catch {}
        calls++;
    }

    function _endProposal(uint256 bountyId) private {
        ghosts[bountyId].proposedAt = 0;
        ghosts[bountyId].upheld = false;
    }

    /// @dev After an award by review: the objectors' pledges stay theirs, unless the arbiter
    /// upheld the proposal. Promise 2 is checked here against the escrow's own views.
    function _withholdObjectors(uint256 bountyId) private {
        Ghost storage ghost = ghosts[bountyId];
        ghost.awardedByReview = true;
        if (ghost.upheld) return;
        address[] storage objectors = _objectors[bountyId];
        for (uint256 i; i < objectors.length; ++i) {
            PledgeRecord storage rec = pledges[_pledgeIndex[bountyId][objectors[i]] - 1];
            (uint256 left,) = escrow.pledgeOf(bountyId, objectors[i]);
            if (left != rec.amount) objectorPaidWithoutRuling++;
            rec.withheldFromAward = true;
        }
    }

    /// @dev Books an award of `bountyId` that took every pledge but the withheld ones.
    function _settled(
        uint256 bountyId,
        uint256 totalBefore,
        uint256 feesBefore,
        uint256 creditsBefore,
        uint256[] memory claimIds,
        uint256[] memory shares,
        uint256[] memory hunterBalances
    ) private {
        Ghost storage ghost = ghosts[bountyId];
        uint256 withheld;
        if (ghost.awardedByReview && !ghost.upheld) {
            address[] storage objectors = _objectors[bountyId];
            for (uint256 i; i < objectors.length; ++i) {
                withheld += pledges[_pledgeIndex[bountyId][objectors[i]] - 1].amount;
            }
        }
        uint256 pool = totalBefore - withheld;
        address token = currencies[ghost.currency];
        uint256 fee = escrow.feesAccrued(token) - feesBefore;
        uint256 credit = _creditsOf(token) - creditsBefore;
        if (escrow.getBounty(bountyId).total != withheld) objectorPaidWithoutRuling++;
        _checkWinners(bountyId, pool - fee, claimIds, shares, hunterBalances);
        _closeGhostPool(bountyId, pool, fee, credit, pool - fee - credit);
    }

    function _closeGhostPool(uint256 bountyId, uint256 pool, uint256 fee, uint256 credit, uint256 paid) private {
        _bookPayout(bountyId, pool, fee, credit, paid);
        Ghost storage ghost = ghosts[bountyId];
        // What stays is only the withheld pledges, whose shares are their amounts.
        ghost.supply = ghost.total;
        // Every pledge the award took is gone; the withheld ones stay.
        uint256[] storage indexes = _pledgesOf[bountyId];
        for (uint256 i; i < indexes.length; ++i) {
            PledgeRecord storage rec = pledges[indexes[i]];
            if (rec.withheldFromAward) rec.shares = rec.amount;
            else (rec.amount, rec.shares) = (0, 0);
        }
    }

    /// @dev Books `pool` leaving a bounty: its fee, and the rest credited or pushed (paid).
    function _bookPayout(uint256 bountyId, uint256 pool, uint256 fee, uint256 credit, uint256 paid) private {
        Ghost storage ghost = ghosts[bountyId];
        uint8 currency = ghost.currency;
        pools[currency] += pool;
        fees[currency] += fee;
        expectedFees[currency] += pool * FEE_BPS / BPS;
        credited[currency] += credit;
        pushed[currency] += paid;
        ghost.total -= pool;
    }

    /// @dev Each winner got its share of the net (the last one the dust), pushed or credited.
    function _checkWinners(
        uint256 bountyId,
        uint256 net,
        uint256[] memory claimIds,
        uint256[] memory shares,
        uint256[] memory hunterBalances
    ) private {
        uint256 remaining = net;
        uint256 expectedSum;
        uint256 gotSum;
        for (uint256 i; i < claimIds.length; ++i) {
            uint256 part = i == claimIds.length - 1 ? remaining : net * shares[i] / BPS;
            remaining -= part;
            expectedSum += part;
            // Count each hunter once, however many of its claims won.
            if (_wonBefore(bountyId, claimIds, i)) continue;
            _noteCredit(escrow.claimant(bountyId, claimIds[i]), ghosts[bountyId].currency);
            gotSum += _holdings(bountyId, escrow.claimant(bountyId, claimIds[i])) - hunterBalances[i];
        }
        // Fee-on-transfer pushes deliver 99%; every other currency delivers the share exactly.
        if (ghosts[bountyId].currency == FOT ? gotSum > expectedSum : gotSum != expectedSum) wrongDelivery++;
    }

    function _noteCredit(address account, uint8 currency) private {
        if (_everCredited[account][currency] || escrow.creditOf(account, currencies[currency]) == 0) return;
        _everCredited[account][currency] = true;
        creditAccounts.push(account);
        creditCurrencies.push(currency);
    }

    function _wonBefore(uint256 bountyId, uint256[] memory claimIds, uint256 i) private view returns (bool) {
        address hunter = escrow.claimant(bountyId, claimIds[i]);
        for (uint256 j; j < i; ++j) {
            if (escrow.claimant(bountyId, claimIds[j]) == hunter) return true;
        }
        return false;
    }

    /// @dev What `account` holds in the bounty's currency, in hand and as a credit.
    function _holdings(uint256 bountyId, address account) private view returns (uint256) {
        uint8 currency = ghosts[bountyId].currency;
        return _balanceOf(currency, account) + escrow.creditOf(account, currencies[currency]);
    }

    function _payoutSnapshot(uint256 bountyId, uint256[] memory claimIds)
        private
        view
        returns (uint256 feesBefore, uint256 creditsBefore, uint256[] memory hunterBalances)
    {
        Ghost storage ghost = ghosts[bountyId];
        address token = currencies[ghost.currency];
        feesBefore = escrow.feesAccrued(token);
        creditsBefore = _creditsOf(token);
        hunterBalances = new uint256[](claimIds.length);
        for (uint256 i; i < claimIds.length; ++i) {
            hunterBalances[i] = _holdings(bountyId, escrow.claimant(bountyId, claimIds[i]));
        }
    }

    function _creditsOf(address token) private view returns (uint256 sum) {
        for (uint256 i; i < creditors.length; ++i) {
            sum += escrow.creditOf(creditors[i], token);
        }
    }

    /// @dev Whether the ghost's rules say this pledge may not leave yet.
    function _lockedByGhost(uint256 bountyId, PledgeRecord storage rec) private view returns (bool) {
        Ghost storage ghost = ghosts[bountyId];
        IBountyEscrow.Status status = escrow.getBounty(bountyId).status;
        if (status == IBountyEscrow.Status.Cancelled) return false;
        if (status == IBountyEscrow.Status.Awarded) return !rec.withheldFromAward;
        if (status == IBountyEscrow.Status.UnderReview) {
            // Held by the live proposal only if locked when proposed, and for at most the bound.
            return rec.unlocksAt > ghost.proposedAt && block.timestamp < ghost.proposedAt + escrow.MAX_REVIEW_HOLD();
        }
        if (block.timestamp < rec.unlocksAt) return true;
        if (ghost.kind == Kind.Fundraiser || ghost.kind == Kind.AllOrNothing) {
            if (block.timestamp >= ghost.deadline + escrow.FUNDRAISER_CLAIM_PERIOD()) return false;
            return !(ghost.kind == Kind.AllOrNothing && ghost.total < ghost.goal);
        }
        return false;
    }

    function _shares(uint256 bountyId, uint256 seed) private view returns (uint256[] memory claimIds, uint256[] memory shares) {
        uint256 claimCount = escrow.getBounty(bountyId).claimCount;
        if (claimCount == 0) return (claimIds, shares);
        uint256 winners = 1 + seed % 3;
        claimIds = new uint256[](winners);
        shares = new uint256[](winners);
        uint256 left = BPS;
        for (uint256 i; i < winners; ++i) {
            seed = uint256(keccak256(abi.encode(seed)));
            claimIds[i] = 1 + seed % claimCount;
            uint256 share = i == winners - 1 ? left : 1 + seed % (left - (winners - 1 - i));
            shares[i] = share;
            left -= share;
        }
    }

    function _track(uint256 id, Kind kind, uint8 currency, uint64 deadline, uint256 goal) private {
        bountyIds.push(id);
        Ghost storage ghost = ghosts[id];
        ghost.kind = kind;
        ghost.currency = currency;
        ghost.deadline = deadline;
        ghost.goal = goal;
        calls++;
    }

    function _deadline(uint256 seed) private view returns (uint64) {
        return uint64(block.timestamp + 1 hours + seed % 60 days);
    }

    /// @dev Mostly a bounty whose deadline has not come (the others refuse nearly everything);
    /// one pick in four is any bounty, to exercise the refusals.
    /// @dev A plain bounty to award and its winners' claims and shares; bounty 0 when the seed
    /// picks none, or one of another kind or without claims.
    function _pickAward(uint256 bountySeed, uint256 sharesSeed)
        private
        view
        returns (uint256 bountyId, uint256[] memory claimIds, uint256[] memory shares)
    {
        bountyId = _pickBounty(bountySeed);
        if (bountyId == 0 || ghosts[bountyId].kind != Kind.Plain) return (0, claimIds, shares);
        (claimIds, shares) = _shares(bountyId, sharesSeed);
        if (claimIds.length == 0) bountyId = 0;
    }

    function _pickBounty(uint256 seed) private view returns (uint256) {
        uint256 n = bountyIds.length;
        if (n == 0) return 0;
        if (seed % 4 == 0) return bountyIds[seed % n];
        for (uint256 i; i < n; ++i) {
            uint256 id = bountyIds[(seed % n + i) % n];
            if (ghosts[id].deadline > block.timestamp) return id;
        }
        return bountyIds[seed % n];
    }

    function _pickReviewed(uint256 seed) private view returns (uint256) {
        uint256 n = bountyIds.length;
        uint256 fallbackId;
        for (uint256 i; i < n; ++i) {
            uint256 id = bountyIds[(seed % n + i) % n];
            Kind kind = ghosts[id].kind;
            if (kind == Kind.Plain || kind == Kind.Fundraiser || kind == Kind.AllOrNothing) continue;
            // Reviews live on past the deadline, so any reviewed bounty will do, live ones first.
            if (ghosts[id].deadline > block.timestamp || seed % 3 == 0) return id;
            if (fallbackId == 0) fallbackId = id;
        }
        return fallbackId;
    }

    function _funder(uint256 seed) private view returns (address) {
        return actors[seed % actors.length];
    }

    function _hunter(uint256 seed) private view returns (address) {
        return seed % 5 == 0 ? address(refuser) : actors[seed % actors.length];
    }

    /// @dev Gives `funder` what it pledges; returns the ETH to send with the pledge.
    function _fund(uint256 currency, address funder, uint256 amount) private returns (uint256 value) {
        if (currency == 0) {
            vm.deal(funder, funder.balance + amount);
            return amount;
        }
        address token = currencies[currency];
        TestToken(token).mint(funder, amount);
        if (IERC20(token).allowance(funder, address(escrow)) < amount) {
            vm.prank(funder);
            NoReturnToken(token).approve(address(escrow), 0);
            vm.prank(funder);
            NoReturnToken(token).approve(address(escrow), type(uint256).max);
        }
    }

    function _balanceOf(uint256 currency, address account) private view returns (uint256) {
        return currency == 0 ? account.balance : IERC20(currencies[currency]).balanceOf(account);
    }

    /// @dev The recipient got the amount (a fee-on-transfer token keeps its 1%).
    function _checkDelivered(uint256 currency, address to, uint256 before, uint256 amount) private {
        uint256 expected = currency == FOT ? amount - amount * 100 / BPS : amount;
        if (_balanceOf(currency, to) - before != expected) wrongDelivery++;
    }

    /// @dev Starts measuring a call's gas; notes the hook token's count of hook calls.
    function _gasStart() private returns (uint256) {
        _hooksAtGasStart = hookToken.hookCalls();
        return gasleft();
    }

    /// @dev Records the gas of a successful call and counts a breach of its ceiling. The gas a
    /// hook token burns in its own hooks is the token's, allowed on top of the escrow's ceiling.
    function _gas(bytes32 fn, uint256 gasBefore, uint256 winners) private {
        uint256 used = gasBefore - gasleft();
        uint256 hooks = hookToken.hookCalls() - _hooksAtGasStart;
        if (hooks != 0) {
            hookCallsSeen += hooks;
            if (hookToken.lastHookSucceeded()) reentryLanded++;
        } else if (used > maxGas[fn]) {
            maxGas[fn] = used;
        }
        successes[fn]++;
        if (used > gasCeiling(fn, winners) + hooks * HOOK_GAS) {
            gasCeilingBreaches++;
            (lastBreach, lastBreachGas) = (fn, used);
        }
    }

    /// @notice Promise 6: the most a call may cost, whatever the number of funders or solutions.
    /// Award and finalize add a fixed amount per winner named; a hook token's transfers add the
    /// gas its hook burns (bounded by this handler's hook calls).
    function gasCeiling(bytes32 fn, uint256 winners) public pure returns (uint256) {
        if (fn == "award" || fn == "awardPart" || fn == "finalize" || fn == "propose") return 200_000 + 120_000 * winners;
        if (fn == "createFundraiser" || fn == "createBountyWithReview") return 250_000;
        return 200_000;
    }
}
